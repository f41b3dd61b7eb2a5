"""Same input, same output (DESIGN.md): two fresh builds of one files-mode folder into two
warehouses give identical public marts (models/marts/**) and model registries, row for row,
but for the columns that say when the build ran.

The folder is the demo generator's raw tables at a small scale written as CSV files, so the
matcher and the ranker both train and every retrieval source has rows. On the code before
issue 15 the two builds differed (float sums added in the order DuckDB's threads finished:
co-visitation, content and popularity scores, IDF sums) in fct_recommendations,
fct_related_items, fct_experiment_results and ml_ranker_train."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow.csv as pacsv
import pytest
from conftest import run_dbt

from catalog_ml.demo import RAW_TABLES, generate

SCALE = 0.05
# Columns that hold the time of the build itself, not a function of the data.
BUILD_TIME_COLUMNS = {
    "trained_at",
    "generated_at",
    "decided_at",
    "built_at",
    "loaded_at",
    "loaded_at_typed",
    "published_at",
}
# What the marts are built from (the registries among it), without data tests and unit tests:
# they add nothing to what is compared and take as long as the models.
MARTS_AND_THEIR_INPUTS = [
    "--select",
    "+path:models/marts",
    "--exclude-resource-type",
    "test",
    "--exclude-resource-type",
    "unit_test",
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("determinism_raw")
    for table in RAW_TABLES:
        pacsv.write_csv(generate(table, scale=SCALE).read_all(), path / f"{table}.csv")
    return path


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory, folder: Path) -> tuple[Path, Path]:
    workdirs = []
    for name in ("first", "second"):
        workdir = tmp_path_factory.mktemp(f"determinism_{name}")
        build_vars = f"{{raw_source: files, raw_data_path: '{folder}'}}"
        result = run_dbt(["build", "--vars", build_vars, *MARTS_AND_THEIR_INPUTS], workdir)
        assert result.returncode == 0, result.stdout[-5000:]
        workdirs.append(workdir)
    return workdirs[0], workdirs[1]


def compared_models(workdir: Path) -> list[str]:
    """The public marts (models under models/marts/) and the model registries (the trainers'
    append-only ml_<model>_train tables), from the build's manifest."""
    manifest = json.loads((workdir / "target" / "manifest.json").read_text())
    names = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        path = node["original_file_path"]
        is_mart = path.startswith("models/marts/")
        is_registry = node["name"].startswith("ml_") and node["name"].endswith("_train")
        if is_mart or is_registry:
            names.append(node["name"])
    return sorted(names)


def differences(first: Path, second: Path, tables: list[str]) -> dict[str, str]:
    """Per table that differs: rows only in one build or the other (as multisets), over every
    column but BUILD_TIME_COLUMNS."""
    found = {}
    with duckdb.connect() as con:
        con.execute(f"attach '{first / 'warehouse.duckdb'}' as first_build (read_only)")
        con.execute(f"attach '{second / 'warehouse.duckdb'}' as second_build (read_only)")
        for table in tables:
            columns = [
                name
                for (name,) in con.execute(
                    "select column_name from information_schema.columns"
                    " where table_catalog = 'first_build' and table_name = ?"
                    " order by ordinal_position",
                    [table],
                ).fetchall()
                if name.lower() not in BUILD_TIME_COLUMNS
            ]
            assert columns, f"{table} is not in the first build"
            (schema,) = con.execute(
                "select distinct table_schema from information_schema.tables"
                " where table_catalog = 'first_build' and table_name = ?",
                [table],
            ).fetchone()
            selected = ", ".join(f'"{name}"' for name in columns)
            a = f"select {selected} from first_build.{schema}.{table}"
            b = f"select {selected} from second_build.{schema}.{table}"
            only_a = con.execute(f"select count(*) from ({a} except all {b})").fetchone()[0]
            only_b = con.execute(f"select count(*) from ({b} except all {a})").fetchone()[0]
            if only_a or only_b:
                rows = con.execute(f"select count(*) from ({a})").fetchone()[0]
                found[table] = (
                    f"{only_a} of {rows} rows only in the first build, {only_b} only in the second"
                )
    return found


def test_the_builds_compare_marts_and_registries_that_have_rows(builds, query):
    first, _ = builds
    tables = compared_models(first)
    assert {
        "fct_recommendations",
        "fct_related_items",
        "ml_matcher_train",
        "ml_ranker_train",
    } <= set(tables)
    # a comparison of empty tables would prove nothing: both models trained, lists were served
    for table in [
        "fct_recommendations",
        "fct_related_items",
        "fct_offer_matches",
        "fct_experiment_results",
    ]:
        assert query(first, f"select count(*) from {table}")[0][0] > 0, table
    for registry in ["ml_matcher_train", "ml_ranker_train"]:
        assert query(first, f"select count(*) from {registry} where is_promoted")[0][0] == 1, (
            registry
        )


def test_two_builds_of_one_folder_give_identical_marts_and_registries(builds):
    first, second = builds
    found = differences(first, second, compared_models(first))
    assert not found, "the two builds differ:\n" + "\n".join(f"{t}: {m}" for t, m in found.items())
