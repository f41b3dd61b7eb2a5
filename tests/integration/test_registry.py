"""The model registry across builds, on a copy of the shared demo warehouse: rebuilding the
trainers on unchanged data adds no version and leaves no dbt-duckdb staging table
(`<model>__dbt_tmp<timestamp>`) behind; a real change (another holdout share for the ranker)
adds a challenger that carries the champion re-scored on its holdout and the bootstrap
interval, and the registry test (assert_new_champion_not_worse_than_replaced) checks it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import DEMO_SCALE, run_dbt

from catalog_ml import registry

TRAINERS = "ml_matcher_train ml_ranker_train ml_metadata_train mon_model_registry"
REGISTRY_TEST = "assert_new_champion_not_worse_than_replaced"


def tmp_tables(workdir: Path, query) -> list[str]:
    rows = query(
        workdir,
        "select table_schema || '.' || table_name from information_schema.tables"
        " where table_name like '%\\_\\_dbt\\_tmp%' escape '\\'",
    )
    return [name for (name,) in rows]


def versions(workdir: Path, query) -> dict[str, int]:
    rows = query(workdir, "select model_name, count(*) from mon_model_registry group by 1")
    return dict(rows)


def build_trainers(workdir: Path, extra_vars: str = "") -> None:
    variables = f"{{demo_scale: {DEMO_SCALE}{extra_vars}}}"
    result = run_dbt(
        ["build", "-s", *TRAINERS.split(), REGISTRY_TEST, "--vars", variables], workdir
    )
    assert result.returncode == 0, result.stdout[-5000:]


@pytest.fixture(scope="module")
def rebuilt(demo_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the shared demo warehouse (its trainers built once), for builds on top."""
    workdir = tmp_path_factory.mktemp("registry_rebuilds")
    shutil.copy(demo_build / "warehouse.duckdb", workdir / "warehouse.duckdb")
    return workdir


def test_rebuilding_on_the_same_data_adds_no_version_and_no_tmp_table(rebuilt, query):
    before = versions(rebuilt, query)
    assert before == {"matcher": 1, "recs_ranker": 1, "metadata": 1}
    build_trainers(rebuilt)  # two incremental builds of every trainer
    build_trainers(rebuilt)
    assert versions(rebuilt, query) == before
    assert tmp_tables(rebuilt, query) == []


def test_a_challenger_records_the_rescored_champion_and_its_interval(rebuilt, query):
    # another holdout share: other users train, so a new ranker version challenges the champion
    build_trainers(rebuilt, ", recs_holdout_user_share: 0.3")
    assert versions(rebuilt, query) == {"matcher": 1, "recs_ranker": 2, "metadata": 1}
    assert tmp_tables(rebuilt, query) == []
    (row,) = query(
        rebuilt,
        "select is_promoted, promotion_reason, metrics_json, holdout_metric,"
        " previous_champion_holdout_metric from mon_model_registry"
        " where model_name = 'recs_ranker' and previous_champion_version is not null",
    )
    promoted, reason, metrics_text, metric, champion_metric = row
    metrics = json.loads(metrics_text)
    assert metrics["promotion_difference"] == pytest.approx(metric - champion_metric)
    low, margin = metrics["promotion_difference_low"], metrics["promotion_margin"]
    won = (
        low > margin
        and metrics["promotion_holdout_units"] >= metrics["promotion_min_holdout_units"]
    )
    assert bool(promoted) == won, reason
    assert "paired bootstrap interval" in reason


def test_the_registry_view_marks_the_champion_the_scorers_use(rebuilt, query):
    """mon_model_registry (SQL) and registry.current_champion (Python, what the scorers load)
    pick the same champion of every model (after the challenger above: the ranker has two
    versions)."""
    columns = ["model_name", "model_version", "trained_at", "is_promoted"]
    trainers = query(rebuilt, "select distinct trainer_model, model_name from mon_model_registry")
    assert {name for _, name in trainers} == {"matcher", "recs_ranker", "metadata"}
    for trainer, model_name in trainers:
        rows = pd.DataFrame(
            query(rebuilt, f"select {', '.join(columns)} from {trainer}"), columns=columns
        )
        assert len(rows) >= 1, trainer
        (marked,) = query(
            rebuilt,
            f"select model_version from mon_model_registry where is_champion and model_name = '{model_name}'",
        )[0]
        assert registry.current_champion(rows, model_name)["model_version"] == marked
