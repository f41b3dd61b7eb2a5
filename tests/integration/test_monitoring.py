"""Monitors end to end: drift (PSI) between training and the latest scoring window, with a
planted price shift that must flag the matcher's price feature and nothing else; training-
serving skew, with a planted one-path perturbation that must fail the build; the health
summary on the normal build and on bad inputs (a model without a champion, an empty scoring
window). The planted builds copy the shared demo warehouse where they can and rebuild only
what the var changes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import DEMO_SCALE, run_dbt

PRICE_SHIFT = 1.5
MONITORS = [
    # the models' drift populations (views: a changed var reaches them only when rebuilt)
    "int_catalog_drift_values",
    "int_recs_drift_values",
    "mon_model_registry",
    "mon_champion_features",
    "mon_feature_drift_inputs",
    "mon_feature_drift",
    "mon_training_serving_skew",
    "mon_health_summary",
]


def flagged(workdir: Path, query, model_name: str) -> set[str]:
    rows = query(
        workdir,
        f"select feature_name from mon_feature_drift where model_name = '{model_name}'"
        " and status != 'pass'",
    )
    return {name for (name,) in rows}


def dbt_statuses(workdir: Path) -> dict[str, str]:
    """dbt test name -> status ('pass', 'warn', 'fail', 'error') of the last run in workdir."""
    results = json.loads((workdir / "target" / "run_results.json").read_text())["results"]
    return {r["unique_id"].split(".")[2]: r["status"] for r in results}


def copy_warehouse(source: Path, workdir: Path) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copy(source / "warehouse.duckdb", workdir / "warehouse.duckdb")
    return workdir


@pytest.fixture(scope="module")
def price_shift_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo with the latest week's offer prices x PRICE_SHIFT, built up to the monitors."""
    workdir = tmp_path_factory.mktemp("price_shift")
    variables = f"{{demo_scale: {DEMO_SCALE}, demo_price_shift: {PRICE_SHIFT}}}"
    select = ["+mon_health_summary", "--indirect-selection", "cautious"]
    result = run_dbt(["build", "-s", *select, "--vars", variables], workdir)
    # a drift check may warn (exit 0) or fail (exit 1); anything else failing is a bug
    statuses = dbt_statuses(workdir)
    broken = {n: s for n, s in statuses.items() if s in {"error", "fail"} and "_drift" not in n}
    assert broken == {}, result.stdout[-5000:]
    return workdir


def test_normal_build_matcher_has_no_drift_and_ranker_drift_is_moderate(demo_build, query):
    assert flagged(demo_build, query, "matcher") == set()
    (worst,) = query(
        demo_build, "select max(psi) from mon_feature_drift where model_name = 'recs_ranker'"
    )[0]
    assert worst < 0.25  # warnings at most: the normal build must not fail on drift
    # every champion feature of every model is monitored: by itself, or (a text feature, the
    # metadata model's title) by its numeric summaries <feature>__<summary>, and nothing else
    features = set(query(demo_build, "select model_name, feature_name from mon_champion_features"))
    compared = query(
        demo_build,
        "select model_name, feature_name from mon_feature_drift where value_kind = 'feature'",
    )
    watched = {(model, feature.split("__")[0]) for model, feature in compared}
    assert watched == features and len(features) > 30
    assert ("metadata", "title") in features
    assert {("metadata", "title__characters"), ("metadata", "title__words")} <= set(compared)


def test_price_shift_flags_the_price_feature_and_nothing_else(demo_build, price_shift_build, query):
    assert flagged(price_shift_build, query, "matcher") == {"price_ratio"}
    # offer prices do not reach the ranker: it flags exactly what the normal build flags
    assert flagged(price_shift_build, query, "recs_ranker") == flagged(
        demo_build, query, "recs_ranker"
    )
    (psi_before,) = query(
        demo_build, "select psi from mon_feature_drift where feature_name = 'price_ratio'"
    )[0]
    (psi_after, message) = query(
        price_shift_build,
        "select psi, message from mon_feature_drift where feature_name = 'price_ratio'",
    )[0]
    assert psi_before < 0.1 <= psi_after and "threshold" in message
    drift_test = dbt_statuses(price_shift_build)["monitor_checks_pass_mon_health_summary_drift"]
    assert drift_test in {"warn", "fail"}
    (status,) = query(
        price_shift_build,
        "select status from mon_health_summary"
        " where check_group = 'drift' and subject = 'matcher.price_ratio'",
    )[0]
    assert status in {"warn", "error"}


def test_no_skew_on_the_normal_build(demo_build, query):
    rows = query(demo_build, "select status, compared_rows from mon_training_serving_skew")
    assert rows and all(status == "pass" and compared > 0 for status, compared in rows)


def test_a_planted_scoring_path_skew_fails_the_build(demo_build, tmp_path, query):
    workdir = copy_warehouse(demo_build, tmp_path / "skew")
    plant = "{model_name: matcher, feature: title_jaro_winkler, offset: 0.05}"
    variables = f"{{demo_scale: {DEMO_SCALE}, planted_skew: {plant}}}"
    select = ["int_catalog_scoring_pairs", "mon_training_serving_skew", "mon_health_summary"]
    result = run_dbt(["build", "-s", *select, "--vars", variables], workdir)
    assert result.returncode == 1, result.stdout[-5000:]
    assert dbt_statuses(workdir)["monitor_checks_pass_mon_health_summary_skew"] == "fail"
    differing = query(
        workdir,
        "select model_name, feature_name, mismatched_rows, compared_rows, max_abs_difference"
        " from mon_training_serving_skew where status != 'pass'",
    )
    assert len(differing) == 1
    model_name, feature, mismatched, compared, difference = differing[0]
    assert (model_name, feature) == ("matcher", "title_jaro_winkler")
    assert mismatched == compared > 0 and difference == pytest.approx(0.05)


def test_bad_inputs_give_a_status_and_a_message(demo_build, tmp_path, query):
    """The ranker loses its champion (a pin to a version that does not exist) and the matcher's
    scoring window is empty: the monitors still build and say so."""
    workdir = copy_warehouse(demo_build, tmp_path / "bad")
    variables = (
        f"{{demo_scale: {DEMO_SCALE}, recs_pinned_version: no-such-version, drift_window_days: 0}}"
    )
    result = run_dbt(["build", "-s", *MONITORS, "--vars", variables], workdir)
    assert dbt_statuses(workdir)["mon_health_summary"] == "success", result.stdout[-5000:]
    checks = {
        (check, subject): (status, message)
        for check, subject, status, message in query(
            workdir,
            "select check_name, subject, status, message from mon_health_summary"
            " where check_name in ('one_champion', 'pinned_version', 'feature_drift_psi',"
            " 'training_serving_skew') and subject in ('recs_ranker', 'matcher.price_ratio')",
        )
    }
    status, message = checks[("one_champion", "recs_ranker")]
    assert status == "error" and "no champion" in message and "no-such-version" in message
    status, message = checks[("pinned_version", "recs_ranker")]
    assert status == "error" and "no-such-version is not registered" in message
    assert checks[("feature_drift_psi", "recs_ranker")][0] == "error"
    assert "has no champion" in checks[("training_serving_skew", "recs_ranker")][1]
    status, message = checks[("feature_drift_psi", "matcher.price_ratio")]
    assert status == "warn" and "no rows in the latest scoring window" in message
