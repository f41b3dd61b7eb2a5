"""Sequential analysis (the mixture SPRT) and the minimum detectable effect: the closed form
against a numerical integral of the mixture, A/A experiments peeked at daily by simulation
(the always-valid test keeps its false-positive rate, the fixed-horizon one does not), the
readout's sequential mode, and the minimum detectable effect against statsmodels' power."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from experiment_fixtures import ALPHA, experiment, inputs
from scipy import integrate, stats
from statsmodels.stats.power import NormalIndPower

from catalog_ml.experiments import (
    SEQUENTIAL_TUNING_USERS,
    Comparison,
    always_valid_half_width,
    always_valid_p_value,
    minimum_detectable_effect,
    readout,
    sequential_comparison,
)

SIMS, LOOKS, USERS_PER_LOOK = 500, 20, 100
# Two Monte Carlo standard errors of a rate alpha estimated from SIMS runs.
MC_MARGIN = 2 * np.sqrt(ALPHA * (1 - ALPHA) / SIMS)


def test_closed_form_is_the_mixture_likelihood_ratio():
    """1 / p is the likelihood ratio of the estimate d ~ N(theta, se^2) with theta mixed over
    N(0, tau^2) against theta = 0, integrated numerically here, with tau^2 = rho^2 se^2 n."""
    d, se, n, tuning = 0.031, 0.012, 3000, 5000
    rho2 = (-2 * np.log(ALPHA) + np.log(1 - 2 * np.log(ALPHA))) / tuning
    tau = np.sqrt(rho2 * se**2 * n)

    def mixed(theta: float) -> float:
        return stats.norm.pdf(d, theta, se) * stats.norm.pdf(theta, 0, tau)

    ratio = integrate.quad(mixed, -1, 1, points=[0, d])[0] / stats.norm.pdf(d, 0, se)
    assert always_valid_p_value(d, se, n, ALPHA, tuning) == pytest.approx(1 / ratio, rel=1e-8)


def test_the_always_valid_p_value_never_exceeds_one_and_one_user_is_enough():
    # d = 0: the mixture ratio L = 1 / sqrt(r) < 1, so min(1, 1 / L) is 1, not sqrt(r)
    assert always_valid_p_value(0.0, 0.1, 40, 0.05, 5000) == 1.0
    one = sequential_comparison(Comparison(0.3, np.nan, np.nan, np.nan, 0.1), 1, 0.05, 5000)
    half = always_valid_half_width(0.1, 1, 0.05, 5000)
    assert (one.ci_low, one.ci_high) == pytest.approx((0.3 - half, 0.3 + half))


def test_the_p_value_and_the_interval_agree():
    rng = np.random.default_rng(0)
    d, se, n = (
        rng.normal(0, 0.05, 2000),
        rng.uniform(0.005, 0.03, 2000),
        rng.integers(50, 9e4, 2000),
    )
    half = always_valid_half_width(se, n, ALPHA, SEQUENTIAL_TUNING_USERS)
    p = always_valid_p_value(d, se, n, ALPHA, SEQUENTIAL_TUNING_USERS)
    assert ((p < ALPHA) == (np.abs(d) > half)).all()
    assert (half > stats.norm.ppf(1 - ALPHA / 2) * se).all(), "wider than fixed-horizon"


@pytest.mark.parametrize(("se", "users"), [(0.0, 100), (np.nan, 100), (0.01, 0)])
def test_without_a_standard_error_or_users_there_is_no_interval(se, users):
    fixed = Comparison(0.2, 0.1, 0.3, 0.01, se)
    out = sequential_comparison(fixed, users, ALPHA, SEQUENTIAL_TUNING_USERS)
    assert out.difference == 0.2
    assert np.isnan([out.ci_low, out.ci_high, out.p_value]).all()
    assert out.standard_error == se or (np.isnan(se) and np.isnan(out.standard_error))
    assert np.isnan(minimum_detectable_effect(out))


def peeked_false_positive_rates(seed: int = 2026) -> tuple[float, float]:
    """A/A experiments (skewed per-user values, exponential) read out after each of LOOKS
    days of USERS_PER_LOOK new users per arm; a run is a false positive if any look rejects."""
    rng = np.random.default_rng(seed)
    n = USERS_PER_LOOK * np.arange(1, LOOKS + 1)
    moments = []
    for _ in range(2):
        x = rng.exponential(1.0, (SIMS, LOOKS * USERS_PER_LOOK))
        total, squares = (np.cumsum(v, axis=1)[:, n - 1] for v in (x, x**2))
        mean = total / n
        moments.append((mean, (squares - n * mean**2) / (n - 1)))
    (mean_c, var_c), (mean_v, var_v) = moments
    d, se = mean_v - mean_c, np.sqrt(var_c / n + var_v / n)
    fixed = 2 * stats.norm.sf(np.abs(d) / se) < ALPHA
    sequential = always_valid_p_value(d, se, 2 * n, ALPHA, SEQUENTIAL_TUNING_USERS) < ALPHA
    return float(fixed.any(axis=1).mean()), float(sequential.any(axis=1).mean())


def test_peeking_daily_keeps_the_sequential_false_positive_rate():
    fixed, sequential = peeked_false_positive_rates()
    assert sequential <= ALPHA + MC_MARGIN, f"sequential: {sequential:.3f} false positives"
    assert fixed > ALPHA + MC_MARGIN, f"fixed-horizon peeked: only {fixed:.3f}"


# --- the readout -----------------------------------------------------------------------------


# Function scope: mutmut runs only the tests that call a function, fixtures included.
@pytest.fixture
def both_analyses() -> dict[str, pd.DataFrame]:
    arms = {
        "control": (1500, {"click_through_rate": 0.0}),
        "t": (1500, {"click_through_rate": 0.1}),
    }
    kwargs = inputs(experiment("S", arms, seed=3))
    return {a: readout(**kwargs, analysis=a) for a in ("fixed_horizon", "sequential")}


def test_the_readout_says_which_analysis_it_used(both_analyses):
    for analysis, out in both_analyses.items():
        assert set(out["analysis"]) == {analysis}
    fixed, sequential = (
        out[~out["is_control"] & out["cuped_p_value"].notna()].iloc[0]
        for out in both_analyses.values()
    )
    assert sequential["cuped_absolute_lift"] == fixed["cuped_absolute_lift"]
    assert sequential["cuped_ci_low"] < fixed["cuped_ci_low"] < fixed["cuped_ci_high"]
    assert fixed["cuped_ci_high"] < sequential["cuped_ci_high"]
    assert sequential["cuped_p_value"] > fixed["cuped_p_value"]
    assert sequential["cuped_mde"] > fixed["cuped_mde"]
    # Only the CUPED (decision) columns change.
    assert sequential["ci_low"] == fixed["ci_low"] and sequential["p_value"] == fixed["p_value"]
    with pytest.raises(ValueError, match="not one of fixed_horizon, sequential"):
        readout(**inputs(experiment("S", {"control": (5, {})})), analysis="bayesian")


def test_minimum_detectable_effect_matches_statsmodels_power():
    """Equal variances and sizes, no pre-period (CUPED changes nothing): the readout's MDE
    is statsmodels' detectable standardised effect at 80% power times the users' sd."""
    rng = np.random.default_rng(4)
    n = 800
    base = rng.gamma(2.0, 5.0, n)
    frames = [
        pd.DataFrame(
            {
                "experiment_id": "P",
                "variant": variant,
                "user_id": [f"{variant}{i}" for i in range(n)],
                "metric_name": "clicks_per_user",
                "numerator": base + shift,
                "denominator": 1.0,
                "numerator_pre": 0.0,
                "denominator_pre": 0.0,
            }
        )
        for variant, shift in (("control", 0.0), ("t", 0.5))
    ]
    kwargs = inputs(experiment("P", {"control": (n, {}), "t": (n, {})}, primary="clicks_per_user"))
    out = readout(**{**kwargs, "user_metrics": pd.concat(frames)})
    row = out[~out["is_control"] & (out["metric_name"] == "clicks_per_user")].iloc[0]
    effect = NormalIndPower().solve_power(nobs1=n, alpha=ALPHA, power=0.8, ratio=1.0)
    assert row["cuped_mde"] == pytest.approx(effect * np.std(base, ddof=1), rel=1e-4)
    assert row["cuped_relative_mde"] == pytest.approx(row["cuped_mde"] / base.mean())
