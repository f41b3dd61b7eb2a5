"""Incremental equals full refresh (issue 17): a demo build of the base history, then the
daily runs (`make daily`: one more day of events, the incremental event models adding rows)
give the same public marts (models/marts/**), model registries and incremental event tables as
a `--full-refresh` of the same days started from the same base build (registries keep their
history under --full-refresh: both hold the base build's versions). Day 1 is a day the ranker
does not retrain (selector daily: the registry keeps its versions, the scorer its champion;
var recs_training_cutoffs 1: the earlier training cutoffs only training reads are skipped),
compared with a full refresh with every cutoff that leaves the trainer out; day 2 retrains
(selector daily_retrain), compared with a full refresh of both days that retrains. Small scale, so it
adds little to `make test`."""

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


def demo_vars(extra_days: int, more: str = "") -> str:
    return f"{{demo_scale: {SCALE}, demo_extra_days: {extra_days}{more}}}"


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """The daily and the full-refresh warehouses after day 2, and what differed after day 1."""
    daily = tmp_path_factory.mktemp("incremental_daily")
    result = run_dbt(["build", "--vars", demo_vars(0), *NO_TESTS], daily)
    assert result.returncode == 0, result.stdout[-5000:]
    refreshed = tmp_path_factory.mktemp("incremental_full_refresh")
    shutil.copyfile(daily / "warehouse.duckdb", refreshed / "warehouse.duckdb")
    # day 1 without retraining (the vars catalog_ml.demo.daily.next_run gives such a day),
    # then the data tests of the incremental event models (rows in = kept + rejected, keys,
    # every valid event in one session)
    no_retraining = demo_vars(1, ", recs_training_cutoffs: 1")
    result = run_dbt(["build", "--selector", "daily", "--vars", no_retraining, *NO_TESTS], daily)
    assert result.returncode == 0, result.stdout[-5000:]
    result = run_dbt(["test", "-s", *INCREMENTAL_EVENT_MODELS, "--vars", no_retraining], daily)
    assert result.returncode == 0, result.stdout[-5000:]
    full_refresh = ["build", "--full-refresh", *NO_TESTS, "--vars"]
    result = run_dbt([*full_refresh, demo_vars(1), "--exclude", "ml_ranker_train"], refreshed)
    assert result.returncode == 0, result.stdout[-5000:]
    day1 = differences(daily, refreshed, compared_models(refreshed) + INCREMENTAL_EVENT_MODELS)
    # day 2 retrains
    result = run_dbt(
        ["build", "--selector", "daily_retrain", "--vars", demo_vars(2), *NO_TESTS], daily
    )
    assert result.returncode == 0, result.stdout[-5000:]
    result = run_dbt([*full_refresh, demo_vars(2)], refreshed)
    assert result.returncode == 0, result.stdout[-5000:]
    return daily, refreshed, day1


def test_the_daily_runs_append_their_days_and_reach_the_marts(builds, query):
    daily, _, _ = builds
    for day in ("ED001", "ED002"):
        new_rows = f"select count(*) from raw_demo_events where event_id like '{day}%'"
        assert query(daily, new_rows)[0][0] > 0
    # the day's events are in the mart BI reads, each once
    after_base = "select count(*) from fct_interactions where event_at >= '2026-11-01'"
    assert query(daily, after_base)[0][0] > 0
    repeats = "select count(*) - count(distinct event_id) from fct_interactions"
    assert query(daily, repeats) == [(0,)]
    # incremental models leave no staging table behind (raw_demo_events' post-hook)
    leftovers = "select count(*) from information_schema.tables where table_name like '%dbt_tmp%'"
    assert query(daily, leftovers) == [(0,)]


def test_the_ranker_retrains_only_on_a_retraining_day(builds, query):
    daily, _, _ = builds
    # the base build's version and day 2's, none from day 1 (each day's training rows differ:
    # the training cutoffs move with the latest event)
    assert query(daily, "select count(*) from ml_ranker_train") == [(2,)]


def test_incremental_equals_full_refresh(builds):
    daily, refreshed, day1 = builds
    tables = compared_models(refreshed) + INCREMENTAL_EVENT_MODELS
    assert {"fct_recommendations", "fct_interactions", "ml_ranker_train"} <= set(tables)
    for day, found in (
        ("day 1 (no retraining)", day1),
        ("day 2", differences(daily, refreshed, tables)),
    ):
        assert not found, f"the daily run and the full refresh differ after {day}:\n" + "\n".join(
            f"{t}: {m}" for t, m in found.items()
        )
