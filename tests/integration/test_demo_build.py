"""A full `dbt build` of the demo at a small scale: every model and data test passes
(including staging rejecting exactly the planted bad rows), and make demo's summary
describes the warehouse it wrote."""

from __future__ import annotations

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


def test_summary_lists_the_warehouse(demo_build):
    path = demo_build / "warehouse.duckdb"
    result = subprocess.run(
        [sys.executable, "-m", "catalog_ml.summary", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert str(path) in result.stdout and "stg_products" in result.stdout
