"""Incremental equals full refresh (issue 17): a demo build of the base history, then the
daily run (`make daily`: one more day of events, `--selector daily`, the incremental event
models adding rows), gives the same public marts (models/marts/**), model registries and
incremental event tables as a `--full-refresh` of the same days started from the same base
build (registries keep their history under --full-refresh: both hold the base build's
versions). Small scale, so it adds little to `make test`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import run_dbt
from test_determinism import compared_models, differences

SCALE = 0.05
INCREMENTAL_EVENT_MODELS = [
    "raw_demo_events",
    "stg_events_checked",
    "stg_events",
    "stg_events_rejected",
    "int_recs_events_deduped",
    "int_recs_sessions",
]
NO_TESTS = ["--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]


def demo_vars(extra_days: int) -> str:
    return f"{{demo_scale: {SCALE}, demo_extra_days: {extra_days}}}"


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    daily = tmp_path_factory.mktemp("incremental_daily")
    result = run_dbt(["build", "--vars", demo_vars(0), *NO_TESTS], daily)
    assert result.returncode == 0, result.stdout[-5000:]
    refreshed = tmp_path_factory.mktemp("incremental_full_refresh")
    shutil.copyfile(daily / "warehouse.duckdb", refreshed / "warehouse.duckdb")
    # the daily run, then the data tests of the incremental event models (rows in = kept +
    # rejected, keys, every valid event in one session)
    result = run_dbt(["build", "--selector", "daily", "--vars", demo_vars(1), *NO_TESTS], daily)
    assert result.returncode == 0, result.stdout[-5000:]
    result = run_dbt(["test", "-s", *INCREMENTAL_EVENT_MODELS, "--vars", demo_vars(1)], daily)
    assert result.returncode == 0, result.stdout[-5000:]
    result = run_dbt(["build", "--full-refresh", "--vars", demo_vars(1), *NO_TESTS], refreshed)
    assert result.returncode == 0, result.stdout[-5000:]
    return daily, refreshed


def test_the_daily_run_appends_one_day_and_reaches_the_marts(builds, query):
    daily, _ = builds
    day = "select count(*) from raw_demo_events where event_id like 'ED001%'"
    assert query(daily, day)[0][0] > 0
    # the day's events are in the mart BI reads, each once
    after_base = "select count(*) from fct_interactions where event_at >= '2026-11-01'"
    assert query(daily, after_base)[0][0] > 0
    repeats = "select count(*) - count(distinct event_id) from fct_interactions"
    assert query(daily, repeats) == [(0,)]
    # incremental models leave no staging table behind (raw_demo_events' post-hook)
    leftovers = "select count(*) from information_schema.tables where table_name like '%dbt_tmp%'"
    assert query(daily, leftovers) == [(0,)]


def test_incremental_equals_full_refresh(builds):
    daily, refreshed = builds
    tables = compared_models(refreshed) + INCREMENTAL_EVENT_MODELS
    assert {"fct_recommendations", "fct_interactions", "ml_ranker_train"} <= set(tables)
    found = differences(daily, refreshed, tables)
    assert not found, "the daily run and the full refresh differ:\n" + "\n".join(
        f"{t}: {m}" for t, m in found.items()
    )
