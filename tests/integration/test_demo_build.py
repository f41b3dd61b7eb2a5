"""A full `dbt build` of the demo at a small scale: every model and data test passes
(including staging rejecting exactly the planted bad rows), and make demo's summary
describes the warehouse it wrote."""

from __future__ import annotations

import json
import subprocess
import sys


def test_every_raw_row_is_kept_or_rejected_and_bad_rows_are_rejected(demo_build, query):
    outcomes = query(demo_build, "select table_name, outcome, row_count from mon_rejected_rows")
    tables = {table for table, _, _ in outcomes}
    assert len(tables) == 8
    rejected = {(table, outcome) for table, outcome, _ in outcomes if outcome != "kept"}
    planted = set(query(demo_build, "select table_name, reject_reason from demo_truth_rejections"))
    assert rejected == planted


def test_staging_keeps_the_bulk_of_the_demo(demo_build, query):
    (events,) = query(demo_build, "select count(*) from stg_events")[0]
    (rejected,) = query(demo_build, "select count(*) from stg_events_rejected")[0]
    assert events > 20 * rejected > 0


def test_summary_gives_the_headline_and_how_to_open_the_results(demo_build, query):
    path = demo_build / "warehouse.duckdb"
    result = subprocess.run(
        [sys.executable, "-m", "catalog_ml.summary", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert str(path) in out and "stg_products" not in out  # no list of relations by default
    ((f1, ap),) = query(
        demo_build,
        "select f1, average_precision from eval_matcher_metrics"
        " where evaluation = 'matcher_test_labels'",
    )
    assert f"matcher   F1 {f1:.3f}  average precision {ap:.3f}" in out
    assert "baseline  F1" in out and "vs popularity" in out and "served ranker" in out
    warn_sql = "select count(*) from mon_health_summary where status = 'warn'"
    ((warned,),) = query(demo_build, warn_sql)
    assert out.count("\n    warn: ") == warned
    assert "make report" in out and "from catalog_ml.warehouse import connect" in out
    listed = subprocess.run(
        [sys.executable, "-m", "catalog_ml.summary", str(path), "--relations"],
        capture_output=True,
        text=True,
    )
    assert "stg_products" in listed.stdout


def test_every_built_model_and_column_is_described(demo_build, query):
    """Every relation a model, seed or snapshot built, and every column in it, has a
    description in the project's YAML (what dbt docs and BI show), and no YAML entry names a
    column the relation does not have."""
    manifest = json.loads((demo_build / "target" / "manifest.json").read_text())
    built = {}
    for schema, table, column in query(
        demo_build,
        "select table_schema, table_name, column_name from information_schema.columns",
    ):
        built.setdefault((schema, table), set()).add(column.lower())
    problems = []
    for node in manifest["nodes"].values():
        if node["resource_type"] not in ("model", "seed", "snapshot"):
            continue
        relation = (node["schema"], node.get("alias") or node["name"])
        if relation not in built:
            continue  # disabled in demo mode, or ephemeral
        if not node.get("description", "").strip():
            problems.append(f"{node['name']}: no description")
        described = {
            name.lower() for name, column in node["columns"].items() if column.get("description")
        }
        if missing := sorted(built[relation] - described):
            problems.append(f"{node['name']}: columns without a description: {missing}")
        if stray := sorted({name.lower() for name in node["columns"]} - built[relation]):
            problems.append(f"{node['name']}: YAML columns not in the relation: {stray}")
    assert not problems, "\n".join(problems)
