"""The shared demo build, published and checked for personal data: the serving file holds
every table BI reads (public marts, exposure and semantic-layer inputs) with the work file's
row counts and a build-status row for this build; public marts carry pseudonyms, never a raw
user id; every column holding personal data is tagged in its model's YAML."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
from conftest import REPO

from catalog_ml.privacy import pseudonymise
from catalog_ml.publish import publish, published_tables
from catalog_ml.warehouse import connect

# Column names that hold personal data (ids of people, their sessions, reviewers' names).
PII_COLUMNS = {"user_id", "reviewer", "session_id", "session_key"}


@pytest.fixture(scope="module")
def served(demo_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    serving = tmp_path_factory.mktemp("serving") / "catalog_ml_serving.duckdb"
    publish(demo_build / "warehouse.duckdb", serving, demo_build / "target", REPO)
    return serving


def read(path: Path, sql: str) -> list[tuple]:
    with connect(path) as con:
        return con.execute(sql).fetchall()


def manifest(demo_build: Path) -> dict:
    return json.loads((demo_build / "target" / "manifest.json").read_text())


def test_serving_file_holds_every_bi_table_with_the_builds_row_counts(demo_build, served, query):
    expected = {table.name for table in published_tables(manifest(demo_build))}
    assert {
        "fct_interactions",
        "fct_recommendations",
        "fct_experiment_results",
        "dim_products",
        "metricflow_time_spine",
        "eval_catalog_health",
        "mon_health_summary",
    } <= expected
    counts = dict(read(served, "select table_name, row_count from build_status_tables"))
    assert set(counts) == expected
    for name, rows in counts.items():
        assert query(demo_build, f"select count(*) from {name}") == [(rows,)], name
        assert read(served, f"select count(*) from {name}") == [(rows,)], name
    assert "stg_users" not in {row[0] for row in read(served, "show all tables")}
    run_results = json.loads((demo_build / "target" / "run_results.json").read_text())
    (row,) = read(
        served, "select dbt_invocation_id, project_version, tables_published from build_status"
    )
    assert row == (run_results["metadata"]["invocation_id"], "0.1.0", len(expected))


def test_public_marts_carry_pseudonyms_not_user_ids(demo_build, served, query):
    users = {row[0] for row in query(demo_build, "select user_id from stg_users")}
    for table in ["fct_interactions", "fct_recommendations"]:
        values = {row[0] for row in read(served, f"select distinct user_id from {table}")}
        assert values and all(re.fullmatch(r"[0-9a-f]{64}", value) for value in values), table
        assert not values & users, table
        # the same salted hash as catalog_ml.privacy (what the serving service computes)
        assert values <= {pseudonymise(user) for user in users}, table
    # no raw user id anywhere in the serving file, in any text column
    with duckdb.connect(str(served), read_only=True) as con:
        text_columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns"
            " where data_type = 'VARCHAR'"
        ).fetchall()
        con.execute("create temp table users (user_id varchar)")
        con.executemany("insert into users values (?)", [(user,) for user in users])
        for schema, table, column in text_columns:
            leaked = con.execute(
                f'select count(*) from "{schema}"."{table}"'
                f' where "{column}" in (select user_id from users)'
            ).fetchone()[0]
            assert leaked == 0, f"{table}.{column}"


def test_every_column_with_personal_data_is_tagged(demo_build, query):
    nodes = {
        node.get("alias") or node["name"]: node
        for node in manifest(demo_build)["nodes"].values()
        if node["resource_type"] in ("model", "seed", "snapshot")
    }
    columns = query(
        demo_build,
        "select table_name, column_name from information_schema.columns"
        f" where column_name in ({', '.join(repr(c) for c in sorted(PII_COLUMNS))})",
    )
    assert len(columns) > 40
    untagged, public_not_pseudonymised = [], []
    for table, column in columns:
        node = nodes.get(table)
        if node is None:
            continue  # not a dbt node (nothing else is in the file today)
        meta = node["columns"].get(column, {}).get("meta") or {}
        if not meta.get("pii"):
            untagged.append(f"{table}.{column}")
        if node.get("access") == "public" and not meta.get("pseudonymised"):
            public_not_pseudonymised.append(f"{table}.{column}")
    assert untagged == []
    assert public_not_pseudonymised == []
