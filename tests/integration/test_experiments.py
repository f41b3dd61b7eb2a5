"""Experiment readout and the semantic layer on the shared demo build: planted effects are
recovered, no sample ratio mismatch, the planted bad assignments are counted, a planted
mismatch fails the SRM test by name, and every MetricFlow metric equals plain SQL."""

from __future__ import annotations

import csv
import shutil

import pytest
from conftest import run_dbt, run_mf

from catalog_ml.demo.people import READOUT_ANOMALIES

# Each semantic-layer metric computed from the marts with plain SQL, written independently
# of the measures (event types, decisions), for comparison with `mf query`.
PLAIN_SQL = {
    "click_through_rate": "select count(*) filter (event_type = 'click') * 1.0"
    " / count(*) filter (event_type = 'impression') from fct_interactions",
    "add_to_cart_rate": "select count(*) filter (event_type = 'add_to_cart') * 1.0"
    " / count(*) filter (event_type = 'click') from fct_interactions",
    "conversion_rate": "select count(*) filter (event_type = 'purchase') * 1.0"
    " / count(*) filter (event_type = 'click') from fct_interactions",
    "hide_rate": "select count(*) filter (event_type = 'hide') * 1.0"
    " / count(*) filter (event_type = 'impression') from fct_interactions",
    "revenue_per_user": "select sum(revenue) / count(distinct user_id) from fct_interactions",
    "clicks_per_user": "select count(*) filter (event_type = 'click') * 1.0"
    " / count(distinct user_id) from fct_interactions",
    "automated_match_rate": "select count(*) filter (decision = 'matched'"
    " and decision_source in ('gtin', 'model')) * 1.0 / count(*) from fct_offer_matches",
    "override_rate": "select count(*) filter (is_overridden and model_decision is not null and"
    " ((decision = 'matched') != (model_decision = 'matched')"
    " or coalesce(product_id, '') != coalesce(model_product_id, ''))) * 1.0"
    " / count(*) filter (model_decision is not null) from int_catalog_decisions",
    "tail_selection_coverage": "with imp as (select p.product_id, count(e.event_id) as n"
    " from stg_products p left join stg_events e on p.product_id = e.product_id"
    " and e.event_type = 'impression' group by 1), tail as (select product_id from imp"
    " qualify percent_rank() over (order by n desc) >= 0.2) select avg(case when product_id in"
    " (select product_id from fct_offer_matches where decision = 'matched') then 1.0 else 0.0"
    " end) from tail",
}


def test_readout_recovers_the_planted_effects(demo_build, query):
    truth = query(
        demo_build,
        "select t.experiment_id, t.variant, t.metric, t.planted_relative_lift,"
        " r.relative_ci_low, r.relative_ci_high, r.cuped_ci_low, r.cuped_ci_high, r.control_value"
        " from demo_truth_experiment_effects as t inner join fct_experiment_results as r"
        " on t.experiment_id = r.experiment_id and t.variant = r.variant"
        " and t.metric = r.metric_name where r.decision != 'invalid_no_control'",
    )
    # EXP001 (1 treatment), EXP002 (2), EXP003 (1), EXP005 (by region), EXP006 (by time slot)
    assert len(truth) == 6
    for experiment, variant, metric, lift, low, high, cuped_low, cuped_high, control in truth:
        where = f"{experiment} {variant} {metric}"
        assert low <= lift <= high, f"{where}: planted {lift} outside [{low}, {high}]"
        assert cuped_low <= lift * control <= cuped_high, f"{where}: CUPED interval misses"


def test_the_cluster_experiment_is_read_out_at_its_unit(demo_build, query):
    """EXP005 is randomised by region (the raw assignments' unit column): every metric is
    tested on the 20 + 20 regions, not on the users (its planted lift is checked above)."""
    rows = query(
        demo_build,
        "select experiment_id, randomisation_unit, statistical_test, variant_units,"
        " variant_users, cuped_note, has_srm, health_users_unit_in_multiple_variants"
        " from fct_experiment_results where experiment_id in ('EXP001', 'EXP005')"
        " and metric_name = 'click_through_rate' order by experiment_id, variant",
    )
    (user_control, user_treatment, *by_region) = rows
    for row in (user_control, user_treatment):
        assert row[1:3] == ("user", "two_proportion_z") and row[3] == row[4]
    for row in by_region:
        assert row[1:4] == ("cluster", "unit_delta_method", 20), row
        assert row[4] > 10 * row[3] and row[5] is None and not row[6] and row[7] == 0, row


def test_the_switchback_is_read_out_by_time_slot(demo_build, query):
    """EXP006 switches a banner on and off by 4-hour slot over 14 days (84 slots, 42 per
    variant): read out on the slots, its users crossing slots and so variants, the slots
    without a pre-period (no CUPED), and the rows planted off the slot grid not counted (its
    planted lift is checked above)."""
    rows = query(
        demo_build,
        "select variant, randomisation_unit, statistical_test, variant_units, variant_users,"
        " cuped_note, has_srm, health_users_invalid_slot, health_users_multiple_variants"
        " from fct_experiment_results where experiment_id = 'EXP006'"
        " and metric_name = 'click_through_rate' order by variant",
    )
    assert [row[0] for row in rows] == ["control", "treatment"]
    for row in rows:
        assert row[1:4] == ("time_slot", "unit_delta_method", 42), row
        assert row[4] > 3 * row[3] and not row[6], row
        assert row[7:] == (READOUT_ANOMALIES, 0), row
    assert rows[1][5] == "not applied: 84 of 84 units have no pre-period data"
    counted = query(
        demo_build,
        "select count(distinct user_id), count(*) from int_experiment_user_metrics"
        " where experiment_id = 'EXP006' and metric_name = 'click_through_rate'",
    )[0]
    crossing = query(
        demo_build,
        "select count(*) from (select user_id from int_experiment_user_metrics"
        " where experiment_id = 'EXP006' and metric_name = 'click_through_rate'"
        " group by user_id having count(distinct variant) = 2)",
    )[0][0]
    assert counted[1] > counted[0] and crossing > 0, (counted, crossing)
    # Each window is the rest of its slot: at most 4 hours, ending on the slot grid, no pre-period.
    windows = query(
        demo_build,
        "select count(*), count(*) filter (end_at > assigned_at + interval 4 hour"
        " or pre_period_start_at != assigned_at or extract(hour from end_at) % 4 != 0"
        " or date_trunc('hour', end_at) != end_at)"
        " from int_experiment_windows where experiment_id = 'EXP006'",
    )[0]
    assert windows == (counted[1], 0), windows


def test_readout_health_counts_every_planted_bad_assignment(demo_build, query):
    health = dict(
        (row[0], row[1:])
        for row in query(
            demo_build,
            "select distinct experiment_id, health_users_multiple_variants,"
            " health_users_unknown_variant, health_users_assigned_outside_window,"
            " health_users_experiment_has_no_control, has_srm from fct_experiment_results",
        )
    )
    k = READOUT_ANOMALIES
    assert health["EXP001"][:4] == (k, 0, 0, 0)
    assert health["EXP002"][:4] == (0, k, 0, 0)
    assert health["EXP003"][:4] == (0, 0, k, 0)
    assert health["EXP004"][3] > 0
    assert not any(row[4] for row in health.values()), "the demo plants no sample ratio mismatch"
    decisions = query(
        demo_build,
        "select distinct decision from fct_experiment_results where experiment_id = 'EXP004'",
    )
    assert decisions == [("invalid_no_control",)]
    rejected = query(
        demo_build,
        "select reject_reason, count(distinct user_id) from int_experiment_assignments_rejected"
        " where reject_reason != 'bot_user' group by 1 order by 1",
    )
    assert [reason for reason, _ in rejected] == [
        "assigned_outside_window",
        "experiment_has_no_control",
        "invalid_slot",
        "multiple_variants",
        "unknown_variant",
    ]
    variance_reduction = query(
        demo_build,
        "select cuped_variance_reduction from fct_experiment_results"
        " where metric_name = 'clicks_per_user' and not is_control and experiment_id = 'EXP001'",
    )[0][0]
    assert variance_reduction > 0.05, "a user's pre-period clicks predict their clicks"


def test_planted_sample_ratio_mismatch_fails_the_srm_test_by_name(demo_build, tmp_path):
    shutil.copy(demo_build / "warehouse.duckdb", tmp_path / "warehouse.duckdb")
    result = run_dbt(
        [
            "build",
            "-s",
            "raw_demo_experiment_assignments+",
            "--vars",
            "{demo_scale: 0.1, demo_srm_experiment: EXP002}",
        ],
        tmp_path,
    )
    assert result.returncode != 0
    assert "FAIL 1 assert_no_sample_ratio_mismatch" in result.stdout
    assert "Sample ratio mismatch in experiment EXP002 (badge_colours)" in result.stdout
    assert "experiment EXP001" not in result.stdout and "experiment EXP003" not in result.stdout


def test_metricflow_validates_the_semantic_layer(mf_project, demo_build):
    result = run_mf(["validate-configs"], mf_project, demo_build)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "ERRORS: 0" in result.stdout and "ERROR:" not in result.stdout


@pytest.mark.parametrize("metric", sorted(PLAIN_SQL))
def test_metricflow_query_equals_plain_sql(metric, mf_project, demo_build, query, tmp_path):
    out = tmp_path / f"{metric}.csv"
    result = run_mf(["query", "--metrics", metric, "--csv", str(out)], mf_project, demo_build)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    with out.open() as handle:
        served = float(next(csv.DictReader(handle))[metric])
    assert served == pytest.approx(float(query(demo_build, PLAIN_SQL[metric])[0][0]), rel=1e-9)


def test_catalog_health_uses_the_semantic_layer_definitions(demo_build, query):
    row = query(
        demo_build,
        "select automated_match_rate, override_rate, tail_selection_coverage from eval_catalog_health",
    )[0]
    for metric, value in zip(
        ["automated_match_rate", "override_rate", "tail_selection_coverage"], row, strict=True
    ):
        assert value == pytest.approx(float(query(demo_build, PLAIN_SQL[metric])[0][0]), rel=1e-9)
