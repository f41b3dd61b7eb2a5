"""The experiment statistics against scipy and statsmodels on small fixtures (to 1e-6)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from catalog_ml.experiment_stats import arm_standard_error, lift_test
from catalog_ml.experiments import (
    cuped,
    holm,
    readout,
    srm_p_value,
    two_proportion_test,
    welch_test,
)

ALPHA = 0.05


def test_two_proportion_test_matches_statsmodels():
    result = two_proportion_test(120, 1000, 150, 1050, ALPHA)
    _, p_value = proportions_ztest([150, 120], [1050, 1000])
    low, high = confint_proportions_2indep(150, 1050, 120, 1000, compare="diff", method="wald")
    assert result.difference == pytest.approx(150 / 1050 - 120 / 1000, abs=1e-12)
    assert result.p_value == pytest.approx(p_value, abs=1e-6)
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high), abs=1e-6)


def test_welch_test_matches_scipy():
    rng = np.random.default_rng(3)
    control, variant = rng.gamma(2.0, 10.0, 40), rng.gamma(2.2, 11.0, 55)
    result = welch_test(control, variant, ALPHA)
    expected = stats.ttest_ind(variant, control, equal_var=False)
    interval = expected.confidence_interval(confidence_level=1 - ALPHA)
    assert result.p_value == pytest.approx(expected.pvalue, abs=1e-6)
    assert (result.ci_low, result.ci_high) == pytest.approx((interval.low, interval.high), abs=1e-6)


def test_two_proportion_standard_error_is_the_unpooled_one():
    result = two_proportion_test(120, 1000, 150, 1050, ALPHA)
    by_hand = np.sqrt(0.12 * 0.88 / 1000 + (150 / 1050) * (900 / 1050) / 1050)
    assert result.standard_error == pytest.approx(by_hand, rel=1e-12)


def test_welch_test_needs_two_values_per_arm():
    two = welch_test(np.array([1.0, 3.0]), np.array([4.0, 8.0]), ALPHA)
    expected = stats.ttest_ind([4.0, 8.0], [1.0, 3.0], equal_var=False)
    assert (two.difference, two.p_value) == pytest.approx((4.0, expected.pvalue), rel=1e-9)
    for control, variant in (([1.0], [4.0, 8.0]), ([1.0, 3.0], [4.0])):
        one = welch_test(np.array(control), np.array(variant), ALPHA)
        assert np.isnan([one.difference, one.p_value, one.standard_error]).all()


def test_welch_test_of_constant_arms_has_a_difference_and_nothing_else():
    result = welch_test(np.array([1.0, 1.0, 1.0]), np.array([3.0, 3.0]), ALPHA)
    assert result.difference == 2.0
    assert np.isnan([result.ci_low, result.ci_high, result.p_value, result.standard_error]).all()


def test_lift_test_and_arm_standard_error_by_hand():
    """Rates: the two-proportion test on the arms' sums, se sqrt(p (1 - p) / trials). Per-user
    means: Welch on active users' values (inactive users, denominator 0, do not count),
    se = sd / sqrt(active users), undefined with one active user."""
    control = pd.DataFrame({"numerator": [3.0, 1.0, 0.0], "denominator": [10.0, 20.0, 10.0]})
    variant = pd.DataFrame({"numerator": [6.0, 2.0], "denominator": [20.0, 20.0]})
    rate = lift_test(control, variant, "two_proportion_z", ALPHA)
    assert rate == two_proportion_test(4.0, 40.0, 8.0, 40.0, ALPHA)
    assert arm_standard_error(control, "two_proportion_z") == pytest.approx(np.sqrt(0.09 / 40))
    users = pd.DataFrame({"numerator": [2.0, 4.0, 0.0, 9.0], "denominator": [1.0, 1.0, 0.0, 1.0]})
    others = pd.DataFrame({"numerator": [5.0, 7.0, 0.0], "denominator": [1.0, 1.0, 0.0]})
    mean = lift_test(users, others, "welch_t", ALPHA)
    assert mean == welch_test(np.array([2.0, 4.0, 9.0]), np.array([5.0, 7.0]), ALPHA)
    assert arm_standard_error(users, "welch_t") == pytest.approx(
        np.std([2, 4, 9], ddof=1) / np.sqrt(3)
    )
    assert arm_standard_error(others, "welch_t") == pytest.approx(1.0)  # sd sqrt(2) / sqrt(2)
    assert np.isnan(arm_standard_error(others.iloc[1:], "welch_t"))


def test_srm_p_value_matches_scipy_chisquare():
    observed, share = np.array([510, 470, 380]), np.array([0.34, 0.33, 0.33])
    expected = stats.chisquare(observed, share / share.sum() * observed.sum())
    assert srm_p_value(observed, share) == pytest.approx(expected.pvalue, abs=1e-6)
    assert np.isnan(srm_p_value(np.array([0, 0]), np.array([0.5, 0.5])))


def test_srm_p_value_normalises_the_split_and_refuses_an_empty_share():
    """A split given as weights (3:2) is read as shares; a variant planned at 0% has no
    expected count, so the test is undefined rather than a certain mismatch."""
    expected = stats.chisquare([310, 190], [300, 200])
    assert srm_p_value(np.array([310, 190]), np.array([3.0, 2.0])) == pytest.approx(
        expected.pvalue, abs=1e-12
    )
    assert np.isnan(srm_p_value(np.array([10, 10]), np.array([0.5, 0.0])))
    assert np.isnan(srm_p_value(np.array([10]), np.array([1.0])))


def test_holm_matches_statsmodels():
    p = np.array([0.01, 0.04, 0.03, 0.2, 0.005])
    assert holm(p) == pytest.approx(multipletests(p, method="holm")[1], abs=1e-12)
    with_missing = holm(np.array([np.nan, 0.02, 0.04]))
    assert np.isnan(with_missing[0])
    assert with_missing[1:] == pytest.approx(multipletests([0.02, 0.04], method="holm")[1])


def _users(rng, n, effect):
    """Per-user fixture: a persistent user level drives both periods."""
    level = rng.gamma(2.0, 5.0, n)
    pre = rng.poisson(level).astype(float)
    post = rng.poisson(level * (1 + effect)).astype(float)
    ones = np.ones(n)
    return pd.DataFrame(
        {"numerator": post, "denominator": ones, "numerator_pre": pre, "denominator_pre": ones}
    )


def test_cuped_mean_equals_ancova_treatment_coefficient():
    """For a per-user mean the CUPED lift is the treatment coefficient of OLS
    y ~ 1 + treatment + pre (statsmodels), and it removes variance when pre predicts post."""
    rng = np.random.default_rng(11)
    control, variant = _users(rng, 300, 0.0), _users(rng, 320, 0.1)
    result = cuped(control, variant, ALPHA)
    both = pd.concat([control.assign(treated=0.0), variant.assign(treated=1.0)])
    design = sm.add_constant(both[["treated", "numerator_pre"]])
    ols = sm.OLS(both["numerator"], design).fit()
    assert result.comparison.difference == pytest.approx(ols.params["treated"], abs=1e-6)
    assert result.theta == pytest.approx(ols.params["numerator_pre"], abs=1e-6)
    raw = welch_test(control["numerator"].to_numpy(), variant["numerator"].to_numpy(), ALPHA)
    assert result.variance_reduction > 0.3
    assert result.comparison.ci_high - result.comparison.ci_low < raw.ci_high - raw.ci_low


def test_cuped_ratio_without_covariate_is_the_delta_method():
    """With no pre-period data CUPED changes nothing: the lift is the difference of the
    ratios and its variance the classical ratio-estimator (delta method) variance."""
    rng = np.random.default_rng(5)
    groups = []
    for n in (200, 220):
        impressions = rng.poisson(20, n).astype(float) + 1
        clicks = rng.binomial(impressions.astype(int), 0.1).astype(float)
        groups.append(
            pd.DataFrame(
                {
                    "numerator": clicks,
                    "denominator": impressions,
                    "numerator_pre": 0.0,
                    "denominator_pre": 0.0,
                }
            )
        )
    result = cuped(*groups, alpha=ALPHA)
    variance = 0.0
    for g in groups:
        y, x = g["numerator"].to_numpy(), g["denominator"].to_numpy()
        r = y.sum() / x.sum()
        s_yy, s_xx = np.var(y, ddof=1), np.var(x, ddof=1)
        s_xy = np.cov(y, x, ddof=1)[0, 1]
        variance += (s_yy - 2 * r * s_xy + r**2 * s_xx) / (len(y) * x.mean() ** 2)
    ratios = [g["numerator"].sum() / g["denominator"].sum() for g in groups]
    assert result.comparison.difference == pytest.approx(ratios[1] - ratios[0], abs=1e-12)
    half_width = stats.norm.ppf(1 - ALPHA / 2) * np.sqrt(variance)
    assert result.comparison.ci_high - result.comparison.difference == pytest.approx(half_width)
    assert result.variance_reduction == pytest.approx(0.0, abs=1e-12)


def _fixture(effect: float, split=(0.5, 0.5), n=4000, variants=("control", "treatment")):
    rng = np.random.default_rng(7)
    rows = []
    for i in range(n):
        v = rng.choice(len(variants), p=split)
        impressions = rng.poisson(30) + 1
        p = 0.1 * (1 + effect * (v > 0))
        rows.append(
            {
                "experiment_id": "E1",
                "variant": variants[v],
                "user_id": f"U{i}",
                "metric_name": "click_through_rate",
                "numerator": float(rng.binomial(impressions, p)),
                "denominator": float(impressions),
                "numerator_pre": float(rng.binomial(20, 0.1)),
                "denominator_pre": 20.0,
            }
        )
    definitions = pd.DataFrame(
        {
            "metric_name": ["click_through_rate"],
            "statistical_test": ["two_proportion_z"],
            "desired_direction": ["increase"],
        }
    )
    planned = pd.DataFrame(
        {
            "experiment_id": "E1",
            "variant": list(variants),
            "expected_share": [1 / len(variants)] * len(variants),
            "is_control": [v == "control" for v in variants],
        }
    )
    experiments = pd.DataFrame(
        {
            "experiment_id": ["E1"],
            "primary_metric": ["click_through_rate"],
            "guardrail_metrics": [""],
        }
    )
    return pd.DataFrame(rows), definitions, planned, experiments


def test_readout_finds_a_planted_lift_and_ships():
    out = readout(*_fixture(0.15), alpha=ALPHA, srm_alpha=0.001)
    treated = out[~out["is_control"]].iloc[0]
    assert treated["relative_ci_low"] < 0.15 < treated["relative_ci_high"]
    assert treated["decision"] == "ship"
    assert not treated["has_srm"]
    assert out[out["is_control"]]["decision"].tolist() == ["control"]


def test_readout_flags_a_sample_ratio_mismatch():
    out = readout(*_fixture(0.15, split=(0.6, 0.4)), alpha=ALPHA, srm_alpha=0.001)
    assert out["has_srm"].all()
    assert set(out.loc[~out["is_control"], "decision"]) == {"invalid_srm"}


def test_readout_without_control_is_invalid_not_a_crash():
    user_metrics, definitions, planned, experiments = _fixture(0.0, variants=("a", "b"))
    out = readout(user_metrics, definitions, planned, experiments, alpha=ALPHA, srm_alpha=0.001)
    assert set(out["decision"]) == {"invalid_no_control"}
    assert out["absolute_lift"].isna().all()


def test_readout_blocks_on_a_guardrail_that_got_worse():
    user_metrics, definitions, planned, experiments = _fixture(0.15)
    # The same rise read as a hide rate (lower is better) is a guardrail that got worse.
    hides = user_metrics.assign(metric_name="hide_rate")
    definitions = pd.concat(
        [
            definitions,
            definitions.assign(metric_name="hide_rate", desired_direction="decrease"),
        ]
    )
    experiments = experiments.assign(guardrail_metrics="hide_rate")
    out = readout(
        pd.concat([user_metrics, hides]),
        definitions,
        planned,
        experiments,
        alpha=ALPHA,
        srm_alpha=0.001,
    )
    treated = out[~out["is_control"]]
    assert set(treated["decision"]) == {"blocked_by_guardrail"}
    assert set(treated["guardrail_status"]) == {"fail"}
    assert treated.set_index("metric_name").loc["hide_rate", "is_worse"]


def test_cuped_ratio_with_a_ratio_covariate_is_the_ancova_on_linearised_values():
    """Rates with varying impressions in both periods and a persistent user propensity: the
    CUPED lift and theta are the OLS (statsmodels) treatment and covariate coefficients of
    y = r_g + (clicks - r_g impressions) / mean impressions_g on the pre-period clicks
    linearised around the pooled pre-period rate."""
    rng = np.random.default_rng(21)
    groups = []
    for n, lift in ((400, 0.0), (420, 0.08)):
        propensity = rng.beta(2, 18, n)
        impressions, impressions_pre = rng.poisson(25, (2, n)) + 1
        groups.append(
            pd.DataFrame(
                {
                    "numerator": rng.binomial(impressions, propensity * (1 + lift)).astype(float),
                    "denominator": impressions.astype(float),
                    "numerator_pre": rng.binomial(impressions_pre, propensity).astype(float),
                    "denominator_pre": impressions_pre.astype(float),
                }
            )
        )
    result = cuped(*groups, alpha=ALPHA)
    both = pd.concat(groups, ignore_index=True)
    pre_rate = both["numerator_pre"].sum() / both["denominator_pre"].sum()
    covariate = (both["numerator_pre"] - pre_rate * both["denominator_pre"]) / both[
        "denominator_pre"
    ].mean()
    outcome = []
    for g in groups:
        r = g["numerator"].sum() / g["denominator"].sum()
        outcome.append(r + (g["numerator"] - r * g["denominator"]) / g["denominator"].mean())
    treated = np.r_[np.zeros(len(groups[0])), np.ones(len(groups[1]))]
    design = sm.add_constant(np.column_stack([treated, covariate]))
    ols = sm.OLS(pd.concat(outcome, ignore_index=True).to_numpy(), design).fit()
    assert result.comparison.difference == pytest.approx(ols.params[1], abs=1e-9)
    assert result.theta == pytest.approx(ols.params[2], abs=1e-9)
    assert result.variance_reduction > 0.05
