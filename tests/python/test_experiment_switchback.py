"""Switchback designs (issue 21): time slots randomised, a user crossing slots and variants.
The readout sums each slot's users and tests the slots (by hand, and against statsmodels'
regression clustered by slot), reports the design as time_slot, and a simulation shows the
slot-level interval covers the true lift about 95% of the time where an analysis treating
impressions as independent covers far less."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from experiment_fixtures import ALPHA, experiment
from experiment_fixtures import inputs as fixture_inputs
from scipy import stats

from catalog_ml.experiment_stats import per_unit, two_proportion_test, unit_ratio_test
from catalog_ml.experiments import readout

CTR = "click_through_rate"


def switchback(
    rng: np.random.Generator, slots: int, lift: float, users: int = 60, activity: float = 0.3
) -> pd.DataFrame:
    """user_metrics of a switchback on the click-through rate: `slots` slots alternating
    control / treatment in random order, each with a shock to every user's click probability
    (time of day and noise); `users` users, each active in a slot with probability
    `activity` (so every user crosses slots and variants), with Poisson impressions."""
    variant = rng.permutation(np.repeat(["control", "treatment"], slots // 2))
    hour = np.arange(slots) * 4 % 24
    shock = (1 + 0.25 * np.cos(2 * np.pi * (hour - 20) / 24)) * np.exp(rng.normal(0, 0.15, slots))
    slot, user = np.nonzero(rng.random((slots, users)) < activity)
    impressions = rng.poisson(20, len(slot)) + 1
    p = 0.05 * shock[slot] * np.where(variant[slot] == "treatment", 1 + lift, 1)
    return pd.DataFrame(
        {
            "experiment_id": "S",
            "variant": variant[slot],
            "user_id": [f"user-{u}" for u in user],
            "unit_id": [f"slot-{s:03d}" for s in slot],
            "metric_name": CTR,
            "numerator": rng.binomial(impressions, p).astype(float),
            "denominator": impressions.astype(float),
            "numerator_pre": 0.0,  # a slot has no pre-period
            "denominator_pre": 0.0,
        }
    )


def inputs(user_metrics: pd.DataFrame, slot_hours: float | None = 4.0) -> dict:
    """readout's arguments for the switchback S (the registry's slot_hours set, or not)."""
    _, variants, registry = experiment("S", {"control": (0, {}), "treatment": (0, {})}, CTR)
    args = fixture_inputs((user_metrics, variants, registry.assign(slot_hours=slot_hours)))
    return {**args, "min_users": 2}


def treatment(results: pd.DataFrame) -> pd.Series:
    return results[(results["variant"] == "treatment") & (results["metric_name"] == CTR)].iloc[0]


def test_a_switchback_is_read_out_by_slot_by_hand():
    """Two users, each in a control and a treatment slot (and u1 in two control slots):
    the slots' sums are the observations, not the users. Control slots (clicks,
    impressions) c1 = (1 + 2, 10 + 10), c2 = (4, 20), c3 = (0, 10); treatment t1 = (6, 20),
    t2 = (3 + 5, 10 + 30), t3 = (2, 10). Ratios 7 / 50 and 16 / 70; the delta method on the
    slots: se^2 = sum((num - R den)^2) / ((G - 1) G mean(den)^2) per arm."""
    rows = [
        ("control", "u1", "c1", 1, 10),
        ("control", "u2", "c1", 2, 10),
        ("control", "u1", "c2", 4, 20),
        ("control", "u1", "c3", 0, 10),
        ("treatment", "u2", "t1", 6, 20),
        ("treatment", "u1", "t2", 3, 10),
        ("treatment", "u2", "t2", 5, 30),
        ("treatment", "u2", "t3", 2, 10),
    ]
    metrics = pd.DataFrame(
        rows, columns=["variant", "user_id", "unit_id", "numerator", "denominator"]
    ).assign(experiment_id="S", metric_name=CTR, numerator_pre=0.0, denominator_pre=0.0)
    row = treatment(readout(**inputs(metrics)))

    def by_hand(sums: list[tuple[float, float]]) -> tuple[float, float, float]:
        num, den = np.array(sums, dtype=float).T
        ratio = num.sum() / den.sum()
        g = len(num)
        return ratio, ((num - ratio * den) ** 2).sum() / ((g - 1) * g * den.mean() ** 2), g

    (rc, vc, gc), (rt, vt, gt) = (
        by_hand([(3, 20), (4, 20), (0, 10)]),
        by_hand([(6, 20), (8, 40), (2, 10)]),
    )
    se = np.sqrt(vc + vt)
    df = (vc + vt) ** 2 / (vc**2 / (gc - 1) + vt**2 / (gt - 1))
    half = stats.t.ppf(1 - ALPHA / 2, df) * se
    assert (rc, rt) == pytest.approx((7 / 50, 16 / 70))
    assert (
        row["randomisation_unit"] == "time_slot" and row["statistical_test"] == "unit_delta_method"
    )
    assert (row["users"], row["units"]) == (2, 3)
    assert row["absolute_lift"] == pytest.approx(rt - rc, rel=1e-12)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((rt - rc - half, rt - rc + half))
    assert row["p_value"] == pytest.approx(2 * stats.t.sf((rt - rc) / se, df), rel=1e-9)
    # relative lift: Var(v / c) ~ se_v^2 / c^2 + v^2 se_c^2 / c^4
    relative_se = np.sqrt(vt / rc**2 + rt**2 * vc / rc**4)
    assert row["relative_ci_high"] - row["relative_ci_low"] == pytest.approx(
        2 * stats.norm.ppf(1 - ALPHA / 2) * relative_se, rel=1e-9
    )


def test_the_slot_test_is_statsmodels_regression_clustered_by_slot():
    """The click-through rate's difference is the treatment coefficient of the impression-
    weighted regression of each (user, slot)'s rate on treatment; its variance, the
    cluster-robust (CR0) one with slots as clusters, times G / (G - 1) (equal slots per arm)."""
    metrics = switchback(np.random.default_rng(5), 84, 0.1)
    treated = (metrics["variant"] == "treatment").astype(float).to_numpy()
    slots = metrics["unit_id"].str.slice(5).astype(int)
    fit = sm.WLS(
        metrics["numerator"] / metrics["denominator"],
        sm.add_constant(treated),
        weights=metrics["denominator"],
    ).fit(cov_type="cluster", cov_kwds={"groups": slots, "use_correction": False})
    control, variant = (
        per_unit(metrics[metrics["variant"] == v]) for v in ("control", "treatment")
    )
    result = unit_ratio_test(control, variant, ALPHA)
    assert result.difference == pytest.approx(fit.params.iloc[1], rel=1e-10)
    assert result.standard_error**2 == pytest.approx(fit.bse.iloc[1] ** 2 * 42 / 41, rel=1e-9)
    row = treatment(readout(**inputs(metrics)))
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((result.ci_low, result.ci_high))
    assert (row["units"], row["users"]) == (42, metrics.loc[treated == 1, "user_id"].nunique())


def test_the_readout_names_the_design_and_explains_cuped():
    metrics = switchback(np.random.default_rng(8), 40, 0.1)
    row = treatment(readout(**inputs(metrics)))
    assert row["randomisation_unit"] == "time_slot"
    assert row["cuped_note"] == "not applied: 40 of 40 units have no pre-period data"
    assert (row["cuped_ci_low"], row["cuped_ci_high"]) == pytest.approx(
        (row["ci_low"], row["ci_high"])
    )
    # users cross variants: each variant counts the users of its slots
    control_users = metrics.loc[metrics["variant"] == "control", "user_id"].nunique()
    assert row["users"] + control_users > metrics["user_id"].nunique()
    # The same assignments without slot_hours in the registry: a cluster design.
    assert treatment(readout(**inputs(metrics, None)))["randomisation_unit"] == "cluster"
    # And without units, users: the per-user two-proportion test.
    by_user = treatment(readout(**inputs(metrics.drop(columns="unit_id"), None)))
    assert by_user["randomisation_unit"] == "user"


def simulated_slots(rng: np.random.Generator, lift: float) -> pd.DataFrame:
    """Slot totals of a simulated switchback (84 four-hour slots, half treated): each slot's
    click probability is 5% times its shock (time of day, sd 0.15 noise) times the lift;
    10,000 impressions per slot on average (so the slots' shocks, not the binomial noise,
    dominate the variance, as in busy real-world slots)."""
    slots = 84
    treated = rng.permutation(np.repeat([0, 1], slots // 2))
    hour = np.arange(slots) * 4 % 24
    shock = (1 + 0.25 * np.cos(2 * np.pi * (hour - 20) / 24)) * np.exp(rng.normal(0, 0.15, slots))
    impressions = rng.poisson(10_000, slots).astype(float)
    clicks = rng.binomial(impressions.astype(int), 0.05 * shock * (1 + lift * treated))
    return pd.DataFrame(
        {"treated": treated, "numerator": clicks.astype(float), "denominator": impressions}
    )


def test_by_impression_a_switchback_gets_too_narrow_an_interval():
    """1000 simulated switchbacks: the slot-level interval covers the true absolute lift about
    95% of the time (within 3 Monte Carlo standard errors); the two-proportion interval that
    takes every impression as independent, far less (the slots' shocks are shared)."""
    rng = np.random.default_rng(2112)
    runs, lift = 1000, 0.1
    # The true absolute lift: 5% x lift x the mean shock (the shocks' expectation).
    hour = np.arange(84) * 4 % 24
    mean_shock = np.mean(1 + 0.25 * np.cos(2 * np.pi * (hour - 20) / 24)) * np.exp(0.15**2 / 2)
    truth = 0.05 * lift * mean_shock
    covered = {"slot": 0, "impression": 0}
    for _ in range(runs):
        slots = simulated_slots(rng, lift)
        control, variant = slots[slots["treated"] == 0], slots[slots["treated"] == 1]
        by_slot = unit_ratio_test(control, variant, ALPHA)
        naive = two_proportion_test(
            control["numerator"].sum(),
            control["denominator"].sum(),
            variant["numerator"].sum(),
            variant["denominator"].sum(),
            ALPHA,
        )
        covered["slot"] += by_slot.ci_low <= truth <= by_slot.ci_high
        covered["impression"] += naive.ci_low <= truth <= naive.ci_high
    monte_carlo_se = np.sqrt(0.95 * 0.05 / runs)
    assert abs(covered["slot"] / runs - 0.95) < 3 * monte_carlo_se, covered
    assert covered["impression"] / runs < 0.5, covered
