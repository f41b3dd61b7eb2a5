"""Source freshness end to end: `dbt source freshness` on the demo (loaded now: every raw
source passes) and on a stale fixture (the demo warehouse with one raw table's load times
moved three days back: that source, and only it, fails by name), and mon_source_freshness,
which applies the same declared limits inside the build."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
from conftest import DEMO_SCALE, run_dbt

VARS = f"{{demo_scale: {DEMO_SCALE}}}"
RAW_TABLES = {
    "products",
    "offers",
    "match_labels",
    "match_overrides",
    "users",
    "events",
    "experiments",
    "experiment_assignments",
}


def freshness(workdir: Path) -> tuple[int, str, dict[str, str]]:
    """Run `dbt source freshness`: exit code, output and status per raw table."""
    result = run_dbt(["source", "freshness", "--vars", VARS], workdir)
    results = json.loads((workdir / "target" / "sources.json").read_text())["results"]
    statuses = {r["unique_id"].removeprefix("source.catalog_ml.raw."): r["status"] for r in results}
    return result.returncode, result.stdout, statuses


def test_the_demo_is_fresh(demo_build, query):
    returncode, output, statuses = freshness(demo_build)
    assert returncode == 0, output[-3000:]
    assert statuses == {table: "pass" for table in RAW_TABLES}
    rows = query(demo_build, "select source_table, status from mon_source_freshness")
    assert dict(rows) == {table: "pass" for table in RAW_TABLES}
    (status,) = query(
        demo_build,
        "select max(status) from mon_health_summary where check_group = 'freshness'",
    )[0]
    assert status == "pass"


def test_a_stale_source_fails_freshness_by_name(demo_build, tmp_path, query):
    workdir = tmp_path / "stale"
    workdir.mkdir()
    shutil.copy(demo_build / "warehouse.duckdb", workdir / "warehouse.duckdb")
    with duckdb.connect(str(workdir / "warehouse.duckdb")) as con:
        con.execute(
            "update demo.raw_demo_events set loaded_at ="
            " strftime(cast(loaded_at as timestamp) - interval 72 hour, '%Y-%m-%d %H:%M:%S')"
        )
    returncode, output, statuses = freshness(workdir)
    assert returncode == 1
    assert statuses == {table: "error" if table == "events" else "pass" for table in RAW_TABLES}
    assert "raw.events" in output and "STALE" in output

    # Inside the build: the same limits (from the sources YAML) judge the stale table.
    # stg_events_checked is incremental (new loads only): rewriting the load times in place is
    # no new load, so it is rebuilt in full to read them.
    select = ["stg_events_checked", "mon_source_freshness", "mon_health_summary"]
    result = run_dbt(["build", "-s", *select, "--full-refresh", "--vars", VARS], workdir)
    assert result.returncode == 1, result.stdout[-3000:]
    assert "monitor_checks_pass_mon_health_summary_freshness" in result.stdout
    status, age_hours, message = query(
        workdir,
        "select status, age_hours, message from mon_source_freshness where source_table = 'events'",
    )[0]
    assert status == "error" and 72 <= age_hours < 80
    assert message.startswith("raw.events: last loaded") and "error_after (48" in message
    others = query(
        workdir, "select distinct status from mon_source_freshness where source_table != 'events'"
    )
    assert others == [("pass",)]
