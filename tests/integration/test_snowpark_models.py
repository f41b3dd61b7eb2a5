"""Every Python model run as dbt-snowflake runs it, on Snowpark's local testing mode.

The project is compiled for the snowflake target offline (the README's command). Each
model's compiled code is what dbt-snowflake puts in its stored procedure: the model, and
dbt's `ref`, `source`, `config` (config_dict, meta_dict), `this` and `is_incremental`. It
runs here with a local-testing Session: `ref()` and `source()` return Snowpark DataFrames
of the demo build's tables (upper-case columns, as Snowflake names unquoted columns; at most
SAMPLE_ROWS rows each, local testing works row by row), the returned pandas frame is written
as dbt-snowflake's `materialize` writes it (session.create_dataframe, save_as_table at
dbt.this), and its columns are checked against the model's YAML (names, and data_type where
given) and against the type family of the same table in the DuckDB build. Incremental models
then run a second time with is_incremental true on the table the first run wrote, as dbt's
next build does.

Snowpark's local testing lacks a few things real Snowflake has; each gap that this project
meets is listed once, in LOCAL_TESTING_GAPS, with its reason.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import REPO, run_dbt

from catalog_ml.warehouse import connect

PYTHON_MODELS = sorted(path.stem for path in (REPO / "python_models").rglob("*.py"))
# Rows of each input table the models get (a reservoir sample with a fixed seed): Snowpark's
# local testing converts a pandas frame row by row (about 1 ms a row, under contention).
SAMPLE_ROWS = 1500
# The demo generators' demo_scale here (their compiled meta_dict holds the project default):
# a few hundred products and events enough to exercise every table.
DEMO_SCALE = 0.005
# What Snowpark's local testing lacks and real Snowflake has, in one place.
# 1. (model, run) pairs it cannot execute, with the reason; run is "first" (a full build) or
#    "incremental". Such a run must raise local testing's NotImplementedError (an entry that
#    no longer does must go); every other run must pass.
LOCAL_TESTING_GAPS: dict[tuple[str, str], str] = {
    ("raw_demo_events", "incremental"): (
        "Session.sql (the largest event id of dbt.this, portable.scalar) is not supported "
        "by local testing; Snowflake runs the same SELECT"
    ),
}


def writable_locally(frame: pd.DataFrame) -> pd.DataFrame:
    """2. Local testing's session.create_dataframe(pandas) infers a type per cell and rejects
    pandas' missing value pd.NA; Snowflake's goes through Arrow (write_pandas), where pd.NA is
    null. The frame dbt-snowflake would write, with pd.NA as None in the columns that hold
    it (pandas' nullable dtypes, such as "string", or object)."""
    converted = frame.copy()
    for column in converted.columns:
        values = converted[column]
        if any(value is pd.NA for value in values):
            converted[column] = values.astype(object).map(lambda v: None if v is pd.NA else v)
    return converted


@pytest.fixture(scope="module")
def snowflake_manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """The compiled Python model nodes of the snowflake target, by model name."""
    workdir = tmp_path_factory.mktemp("snowpark")
    with pytest.MonkeyPatch.context() as patch:  # the README's offline compile
        for name in ("SNOWFLAKE_ACCOUNT", "SNOWFLAKE_USER", "SNOWFLAKE_PASSWORD"):
            patch.delenv(name, raising=False)
        args = ["compile", "--no-populate-cache", "-s", "path:python_models"]
        result = run_dbt(args, workdir, target="snowflake")
    assert result.returncode == 0, result.stdout[-5000:]
    manifest = json.loads((workdir / "target" / "manifest.json").read_text())
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["language"] == "python"
    }


@pytest.fixture(scope="module")
def snowpark_session():
    from snowflake.snowpark import Session

    session = Session.builder.config("local_testing", True).create()
    yield session
    session.close()


def test_every_python_model_runs_on_the_pinned_snowpark_runtime(snowflake_manifest):
    """python_version and packages are set once (dbt_project.yml) and reach every model."""
    assert sorted(snowflake_manifest) == PYTHON_MODELS
    runtimes = {
        name: (node["config"].get("python_version"), tuple(node["config"].get("packages", [])))
        for name, node in snowflake_manifest.items()
    }
    python_version, packages = runtimes[PYTHON_MODELS[0]]
    assert python_version == f"{sys.version_info.major}.{sys.version_info.minor}"
    assert len(packages) == len(set(packages)), "a folder appended packages its parent has"
    assert {"numpy", "pandas", "pyarrow", "xgboost", "scikit-learn", "scipy"} <= set(packages)
    assert set(runtimes.values()) == {(python_version, packages)}


def test_the_package_imports_from_its_zip_under_the_pinned_python(snowflake_manifest, tmp_path):
    """What Snowflake runs: catalog_ml imported from catalog_ml.zip (the stage's `imports`),
    then every Python model's own imports, in a fresh interpreter of the pinned version."""
    python_version = snowflake_manifest[PYTHON_MODELS[0]]["config"]["python_version"]
    if python_version != f"{sys.version_info.major}.{sys.version_info.minor}":
        pytest.fail(f"no Python {python_version} with the project's dependencies to import under")
    archive = tmp_path / "catalog_ml.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted((REPO / "src" / "catalog_ml").rglob("*.py")):
            zipped.write(path, path.relative_to(REPO / "src"))
    imports = []
    for node in snowflake_manifest.values():
        tree = ast.parse((REPO / node["original_file_path"]).read_text())
        imports += [ast.unparse(s) for s in tree.body if isinstance(s, ast.Import | ast.ImportFrom)]
    from_zip = f"import catalog_ml\nassert catalog_ml.__file__.startswith({str(archive)!r})"
    script = "\n".join([from_zip, *sorted(set(imports))])
    env = {**os.environ, "PYTHONPATH": str(archive)}
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr[-3000:]


def type_family(type_name: str) -> str:
    """The kind of a column type, in DuckDB's, Snowflake's or Snowpark's spelling."""
    name = type_name.upper().replace("TYPE", "")
    families = {
        "text": ("VARCHAR", "TEXT", "STRING", "CHAR"),
        "boolean": ("BOOL",),
        "timestamp": ("TIMESTAMP", "DATETIME"),
        "date": ("DATE",),
        "integer": ("BIGINT", "INT", "SMALLINT", "TINYINT", "HUGEINT", "LONG", "SHORT", "BYTE"),
        "number": ("DOUBLE", "FLOAT", "REAL", "DECIMAL", "NUMERIC", "NUMBER"),
    }
    for family, prefixes in families.items():
        if name.startswith(prefixes):
            return family
    return name


def snowpark_type(duckdb_type: str) -> Any:
    from snowflake.snowpark import types

    family = type_family(duckdb_type)
    if duckdb_type.upper().startswith("DECIMAL"):
        precision, scale = duckdb_type[duckdb_type.index("(") + 1 : -1].split(",")
        return types.DecimalType(int(precision), int(scale))
    return {
        "text": types.StringType(),
        "boolean": types.BooleanType(),
        "timestamp": types.TimestampType(),
        "date": types.DateType(),
        "integer": types.LongType(),
        "number": types.DoubleType(),
    }[family]


class Warehouse:
    """The demo build's tables, loaded on demand into the local Snowpark session under the
    names the compiled code asks for (database.schema.identifier)."""

    def __init__(self, duckdb_path: Path, session: Any) -> None:
        self.con = connect(duckdb_path, read_only=True)
        self.session = session
        self.loaded: set[str] = set()

    def types(self, identifier: str) -> dict[str, str]:
        relation = self.con.sql(f"select * from {identifier} limit 0")
        return {c.lower(): str(t) for c, t in zip(relation.columns, relation.types, strict=True)}

    def table(self, name: str) -> Any:
        from snowflake.snowpark.types import StructField, StructType

        if name not in self.loaded:
            identifier = name.split(".")[-1]
            relation = self.con.sql(
                f"select * from {identifier} using sample reservoir({SAMPLE_ROWS} rows) repeatable (42)"
            )
            schema = StructType(
                [
                    StructField(column.upper(), snowpark_type(str(kind)))
                    for column, kind in zip(relation.columns, relation.types, strict=True)
                ]
            )
            frame = self.session.create_dataframe(relation.fetchall() or None, schema=schema)
            frame.write.mode("overwrite").save_as_table(name)
            self.loaded.add(name)
        return self.session.table(name)


@pytest.fixture(scope="module")
def warehouse(demo_build, snowpark_session):
    built = Warehouse(demo_build / "warehouse.duckdb", snowpark_session)
    yield built
    built.con.close()


def run_model(node: dict, warehouse: Warehouse, incremental: bool) -> Any:
    """The model's compiled code run as dbt-snowflake's stored procedure runs it (main):
    model(dbt, session), then the returned frame written at dbt.this as its materialize
    writes it (a pandas frame through session.create_dataframe). The Snowpark DataFrame
    written."""
    namespace: dict[str, Any] = {"__name__": node["name"]}
    exec(compile(node["compiled_code"], node["original_file_path"], "exec"), namespace)
    if "demo_scale" in namespace["meta_dict"]:
        namespace["meta_dict"]["demo_scale"] = DEMO_SCALE
    dbt = namespace["dbtObj"](warehouse.table)
    dbt.is_incremental = incremental
    session = warehouse.session
    output = namespace["model"](dbt, session)
    if isinstance(output, pd.DataFrame):  # else a Snowpark DataFrame (portable.to_output)
        output = session.create_dataframe(writable_locally(output))
    output.write.mode("overwrite").save_as_table(str(dbt.this))
    return output


@pytest.mark.parametrize("name", PYTHON_MODELS)
def test_python_model_runs_on_snowpark(name, snowflake_manifest, warehouse):
    node = snowflake_manifest[name]
    runs = ["first"] + (["incremental"] if node["config"]["materialized"] == "incremental" else [])
    expected = [column.lower() for column in node["columns"]]
    declared = {
        c.lower(): type_family(spec["data_type"])
        for c, spec in node["columns"].items()
        if spec.get("data_type")
    }
    built = {c: type_family(t) for c, t in warehouse.types(node["alias"]).items()}
    for run in runs:
        if (name, run) in LOCAL_TESTING_GAPS:  # still a gap, or the entry must go
            with pytest.raises(NotImplementedError, match="Local Testing"):
                run_model(node, warehouse, incremental=run == "incremental")
            continue
        started = time.perf_counter()
        output = run_model(node, warehouse, incremental=run == "incremental")
        written = warehouse.session.table(f"{node['database']}.{node['schema']}.{node['alias']}")
        columns = {
            f.name.strip('"').lower(): type_family(type(f.datatype).__name__)
            for f in written.schema
        }
        rows = written.count()
        print(f"{name} ({run}): {rows} rows in {time.perf_counter() - started:.1f} s")
        missing, undocumented = set(expected) - set(columns), set(columns) - set(expected)
        assert not missing | undocumented, (
            f"{name} ({run}): YAML-only columns {missing}, undocumented {undocumented}"
        )
        assert [c.isupper() for c in output.columns] == [True] * len(output.columns)
        assert rows > 0 or run == "incremental", f"{name}: no rows from its sample"
        assert {c: columns[c] for c in declared} == declared, f"{name}: data_type differs"
        if rows:
            assert columns == built, f"{name} ({run}): column types differ from the DuckDB build"
