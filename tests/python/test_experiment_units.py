"""Designs randomised by unit (clusters, switchback slots): the unit-level test against
statsmodels' cluster-robust regression, the coverage that analysing such a design by user
loses (simulation), and the readout analysing at the unit (tests, sample ratio, CUPED,
sequential tuning, too few units)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from experiment_fixtures import ALPHA, DEFINITIONS, SRM_ALPHA

from catalog_ml.experiment_stats import (
    always_valid_half_width,
    cuped,
    per_unit,
    ratio_standard_error,
    unit_ratio_test,
    welch_test,
)
from catalog_ml.experiments import MIN_UNITS, readout


def clustered_users(
    rng: np.random.Generator, units: int, effect: float, unit_sd: float = 1.0, first: int = 0
) -> pd.DataFrame:
    """Per user of `units` clusters of unequal size: a per-user mean metric (denominator 1)
    whose clusters share a random level (sd unit_sd), in both periods, plus user noise."""
    sizes = rng.integers(10, 50, units)
    unit = np.repeat(np.arange(first, first + units), sizes)
    level = rng.normal(0, unit_sd, units)[unit - first]
    n = len(unit)
    return pd.DataFrame(
        {
            "unit_id": [f"unit-{u}" for u in unit],
            "user_id": [f"user-{first}-{i}" for i in range(n)],
            "numerator": 10 + effect + level + rng.normal(0, 1, n),
            "denominator": 1.0,
            "numerator_pre": 10 + level + rng.normal(0, 1, n),
            "denominator_pre": 1.0,
        }
    )


def test_unit_test_is_the_cluster_robust_regression():
    """Equal clusters per arm: the unit test's variance is statsmodels' CR0 cluster-robust
    variance of the treatment coefficient times G / (G - 1), and its estimate the
    coefficient (difference of the arms' per-user means)."""
    rng = np.random.default_rng(3)
    g = 12
    control = clustered_users(rng, g, 0.0)
    variant = clustered_users(rng, g, 0.4, first=g)
    users = pd.concat([control, variant], ignore_index=True)
    treated = np.r_[np.zeros(len(control)), np.ones(len(variant))]
    groups = users["unit_id"].str.slice(5).astype(int)
    fit = sm.OLS(users["numerator"], sm.add_constant(treated)).fit(
        cov_type="cluster", cov_kwds={"groups": groups, "use_correction": False}
    )
    result = unit_ratio_test(per_unit(control), per_unit(variant), ALPHA)
    assert result.difference == pytest.approx(fit.params.iloc[1], rel=1e-12)
    assert result.standard_error**2 == pytest.approx(fit.bse.iloc[1] ** 2 * g / (g - 1), rel=1e-9)
    # Welch's degrees of freedom over units: the t quantile of the interval.
    half = (result.ci_high - result.ci_low) / 2
    assert 2.0 < half / result.standard_error < 2.1


def test_unit_standard_error_of_a_ratio_is_the_delta_method():
    """sum(num) / sum(den) over units: Var ~ Var(num - R den) / (n mean(den)^2), by hand;
    a unit without a denominator (no exposure) is not a unit of the ratio."""
    units = pd.DataFrame(
        {"numerator": [3.0, 5.0, 1.0, 7.0], "denominator": [10.0, 20.0, 1.0, 25.0]}
    )
    ratio = 16 / 56
    residual = units["numerator"] - ratio * units["denominator"]
    by_hand = np.sqrt(residual.var(ddof=1) / 4) / 14
    assert ratio_standard_error(units) == pytest.approx(by_hand, rel=1e-12)
    idle = pd.DataFrame({"numerator": [0.0], "denominator": [0.0]})
    assert ratio_standard_error(pd.concat([units, idle])) == pytest.approx(by_hand, rel=1e-12)
    # two units: residuals 3 - 8/30 * 10 = 1/3 and 5 - 8/30 * 20 = -1/3, Var 2/9, mean den 15
    two = ratio_standard_error(units.iloc[:2])
    assert two == pytest.approx(np.sqrt(2 / 9 / 2) / 15, rel=1e-12)
    assert np.isnan(ratio_standard_error(units.iloc[:1]))


def test_per_unit_sums_each_unit_in_unit_order():
    rows = pd.DataFrame(
        {
            "unit_id": ["b", "a", "b", "c"],
            "user_id": ["u1", "u2", "u3", "u4"],
            "numerator": [1.0, 2.0, 3.0, 4.0],
            "denominator": [1.0, 1.0, 2.0, 0.0],
            "numerator_pre": [0.5, 0.0, 1.0, 2.0],
            "denominator_pre": [1.0, 0.0, 1.0, 1.0],
        }
    )
    units = per_unit(rows)
    assert units.to_dict("list") == {
        "unit_id": ["a", "b", "c"],
        "numerator": [2.0, 4.0, 4.0],
        "denominator": [1.0, 3.0, 0.0],
        "numerator_pre": [0.0, 1.5, 2.0],
        "denominator_pre": [0.0, 2.0, 1.0],
    }
    pd.testing.assert_frame_equal(per_unit(rows.iloc[::-1]), units)


def test_unit_test_of_single_user_units_by_hand():
    """Units of one user each (denominator 1): the ratio is the mean, the test Welch's."""
    control = pd.DataFrame({"numerator": [1.0, 2.0, 4.0], "denominator": 1.0})
    variant = pd.DataFrame({"numerator": [3.0, 5.0, 4.0, 8.0], "denominator": 1.0})
    result = unit_ratio_test(control, variant, ALPHA)
    welch = welch_test(control["numerator"].to_numpy(), variant["numerator"].to_numpy(), ALPHA)
    assert result.difference == pytest.approx(5 - 7 / 3)
    for field in ("ci_low", "ci_high", "p_value", "standard_error"):
        assert getattr(result, field) == pytest.approx(getattr(welch, field), rel=1e-12)


def test_a_unit_test_needs_two_units_with_a_denominator_per_arm():
    rng = np.random.default_rng(0)
    two = per_unit(clustered_users(rng, 2, 0.0))
    assert not np.isnan(
        unit_ratio_test(two, two.assign(numerator=two["numerator"] + 1), ALPHA).p_value
    )
    one = two.assign(denominator=[1.0, 0.0])
    assert np.isnan(unit_ratio_test(one, two, ALPHA).difference)
    assert np.isnan(unit_ratio_test(two, one, ALPHA).difference)


def simulated_arm(rng: np.random.Generator, effect: float) -> tuple[np.ndarray, pd.DataFrame]:
    """One arm of a simulated cluster experiment: 20 clusters of 10 to 49 users sharing a
    level (sd 1) plus user noise (sd 1); the users' values and the clusters' sums (the
    frame per_unit would give, built with numpy for speed)."""
    sizes = rng.integers(10, 50, 20)
    values = effect + np.repeat(rng.normal(0, 1, 20), sizes) + rng.normal(0, 1, sizes.sum())
    sums = np.bincount(np.repeat(np.arange(20), sizes), weights=values)
    return values, pd.DataFrame({"numerator": sums, "denominator": sizes.astype(float)})


def test_by_user_a_clustered_design_gets_too_narrow_an_interval():
    """1000 simulated cluster experiments: the unit-level interval covers the true effect
    about 95% of the time (within 3 Monte Carlo standard errors), the user-level Welch
    interval on the same data far less (its users are not independent)."""
    rng = np.random.default_rng(21)
    runs, effect = 1000, 0.5
    covered = {"unit": 0, "user": 0}
    for _ in range(runs):
        (users_c, units_c), (users_v, units_v) = simulated_arm(rng, 0.0), simulated_arm(rng, effect)
        by_unit = unit_ratio_test(units_c, units_v, ALPHA)
        by_user = welch_test(users_c, users_v, ALPHA)
        covered["unit"] += by_unit.ci_low <= effect <= by_unit.ci_high
        covered["user"] += by_user.ci_low <= effect <= by_user.ci_high
    monte_carlo_se = np.sqrt(0.95 * 0.05 / runs)
    assert abs(covered["unit"] / runs - 0.95) < 3 * monte_carlo_se, covered
    assert covered["user"] / runs < 0.5, covered


def experiment(units: int, seed: int = 1, effect: float = 0.3) -> dict:
    """readout's arguments for one experiment randomised by unit (clicks_per_user only)."""
    rng = np.random.default_rng(seed)
    frames = [
        clustered_users(rng, units, e, first=k * units).assign(variant=v)
        for k, (v, e) in enumerate([("control", 0.0), ("treatment", effect)])
    ]
    user_metrics = pd.concat(frames, ignore_index=True).assign(
        experiment_id="X", metric_name="clicks_per_user"
    )
    return {
        "user_metrics": user_metrics,
        "definitions": DEFINITIONS[DEFINITIONS["metric_name"] == "clicks_per_user"],
        "variants": pd.DataFrame(
            {
                "experiment_id": "X",
                "variant": ["control", "treatment"],
                "expected_share": 0.5,
                "is_control": [True, False],
            }
        ),
        "experiments": pd.DataFrame(
            {
                "experiment_id": ["X"],
                "primary_metric": ["clicks_per_user"],
                "guardrail_metrics": [""],
            }
        ),
        "alpha": ALPHA,
        "srm_alpha": SRM_ALPHA,
    }


def treatment_row(results: pd.DataFrame) -> pd.Series:
    return results[results["variant"] == "treatment"].iloc[0]


def test_the_readout_analyses_a_clustered_design_at_its_unit():
    args = experiment(20)
    metrics = args["user_metrics"]
    row = treatment_row(readout(**args))
    control, variant = (
        per_unit(metrics[metrics["variant"] == v]) for v in ("control", "treatment")
    )
    expected = unit_ratio_test(control, variant, ALPHA)
    adjusted = cuped(control, variant, ALPHA).comparison
    assert row["randomisation_unit"] == "cluster" and row["statistical_test"] == "unit_delta_method"
    assert (row["units"], row["users"]) == (20, metrics["variant"].eq("treatment").sum())
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((expected.ci_low, expected.ci_high))
    assert (row["cuped_ci_low"], row["cuped_ci_high"]) == pytest.approx(
        (adjusted.ci_low, adjusted.ci_high)
    )
    assert pd.isna(row["cuped_note"]) and row["cuped_variance_reduction"] > 0.5
    # Relative lift's delta-method interval from the units' standard errors.
    c, v = control["numerator"].sum() / control["denominator"].sum(), row["metric_value"]
    se = np.sqrt(
        ratio_standard_error(variant) ** 2 / c**2 + v**2 * ratio_standard_error(control) ** 2 / c**4
    )
    assert row["relative_ci_high"] - row["relative_ci_low"] == pytest.approx(
        2 * 1.959964 * se, rel=1e-5
    )
    # The same users read as if each were randomised alone: a narrower, wrong interval.
    by_user = treatment_row(readout(**{**args, "user_metrics": metrics.drop(columns="unit_id")}))
    assert by_user["randomisation_unit"] == "user" and by_user["statistical_test"] == "welch_t"
    assert by_user["ci_high"] - by_user["ci_low"] < (row["ci_high"] - row["ci_low"]) / 2


def test_the_sample_ratio_counts_units_not_users():
    """Balanced units with far more users in treatment's units: no mismatch at the unit."""
    args = experiment(20)
    metrics = args["user_metrics"]
    big = metrics[metrics["variant"] == "treatment"].assign(user_id=lambda f: f["user_id"] + "-b")
    args["user_metrics"] = pd.concat([metrics, big], ignore_index=True)
    row = treatment_row(readout(**args))
    assert row["srm_p_value"] == pytest.approx(1.0) and not row["has_srm"]
    by_user = readout(**{**args, "user_metrics": args["user_metrics"].drop(columns="unit_id")})
    assert treatment_row(by_user)["has_srm"]


def test_cuped_is_not_applied_when_a_unit_has_no_pre_period():
    args = experiment(20)
    metrics = args["user_metrics"]
    slot = metrics["unit_id"] == metrics["unit_id"].iloc[0]
    metrics.loc[slot, ["numerator_pre", "denominator_pre"]] = 0.0
    row = treatment_row(readout(**args))
    assert row["cuped_note"] == "not applied: 1 of 40 units have no pre-period data"
    assert (row["cuped_ci_low"], row["cuped_ci_high"], row["cuped_p_value"]) == pytest.approx(
        (row["ci_low"], row["ci_high"], row["p_value"])
    )
    assert "unadjusted p-value after Holm" in row["decision_reason"]


def test_too_few_units_is_invalid_with_a_reason():
    row = treatment_row(readout(**experiment(MIN_UNITS - 1, effect=3.0)))
    assert row["decision"] == "invalid_too_few_units"
    assert row["decision_reason"] == (
        f"randomised by unit: {MIN_UNITS - 1} units in treatment and {MIN_UNITS - 1} in"
        f" control; the readout needs {MIN_UNITS} in each"
    )
    assert treatment_row(readout(**experiment(MIN_UNITS, effect=3.0)))["decision"] == "ship"


def test_sequential_tuning_is_scaled_to_units():
    args = experiment(20)
    metrics = args["user_metrics"]
    row = treatment_row(readout(**args, analysis="sequential", sequential_tuning_users=3000))
    control, variant = (
        per_unit(metrics[metrics["variant"] == v]) for v in ("control", "treatment")
    )
    se = cuped(control, variant, ALPHA).comparison.standard_error
    tuning = 3000 * 40 / metrics["user_id"].nunique()
    half = always_valid_half_width(se, 40, ALPHA, tuning)
    assert (row["cuped_ci_high"] - row["cuped_ci_low"]) / 2 == pytest.approx(half, rel=1e-9)
