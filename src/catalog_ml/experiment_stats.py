"""The statistical tests behind the experiment readout (catalog_ml.experiments).

Every comparison is a variant against its experiment's control, in the metric's own units:
- rates (a ratio of counts, e.g. clicks / impressions): two-proportion z-test, the
  denominator's units as trials (pooled variance for the p-value, unpooled for the interval);
- per-user means (a ratio over distinct users): Welch's t-test on the users' values;
- CUPED at the randomisation unit, the user: each metric is linearised per user (the delta
  method; for a per-user mean this is the plain user value) and adjusted with the user's
  value of the same metric in the pre-period. The adjusted difference is the treatment
  coefficient of the ANCOVA regression of the linearised outcome on treatment and the
  centred covariate; its standard error comes from the adjusted per-user values, so it
  respects that a user's impressions are not independent trials. The readout decides on it;
- sequential analysis: the always-valid (anytime) interval and p-value of the normal
  mixture sequential probability ratio test (Robbins' mixture; Howard, Ramdas, McAuliffe
  and Sekhon 2021; as GrowthBook and Eppo document it), valid however often one peeks;
- minimum detectable effect: the true effect the decision would find with 80% power;
- sample ratio mismatch: chi-square of the users per variant against the planned split;
- more than one treatment variant: Holm's step-down correction per experiment and metric.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats


@dataclass(frozen=True)
class Comparison:
    """A variant minus control: difference, its confidence interval, p-value and the
    difference's standard error."""

    difference: float
    ci_low: float
    ci_high: float
    p_value: float
    standard_error: float = np.nan


NO_COMPARISON = Comparison(np.nan, np.nan, np.nan, np.nan)
# statistical_test of every metric of a design randomised by unit (unit_ratio_test).
UNIT_TEST = "unit_delta_method"


def _normal_comparison(difference: float, standard_error: float, alpha: float) -> Comparison:
    if not standard_error > 0:
        return Comparison(difference, np.nan, np.nan, np.nan)
    z = stats.norm.ppf(1 - alpha / 2)
    p_value = 2 * stats.norm.sf(abs(difference / standard_error))
    return Comparison(
        difference,
        difference - z * standard_error,
        difference + z * standard_error,
        p_value,
        standard_error,
    )


def two_proportion_test(
    successes_control: float,
    trials_control: float,
    successes_variant: float,
    trials_variant: float,
    alpha: float,
) -> Comparison:
    """Difference of proportions: pooled z-test p-value, unpooled Wald interval."""
    p_c = successes_control / trials_control
    p_v = successes_variant / trials_variant
    pooled = (successes_control + successes_variant) / (trials_control + trials_variant)
    se_pooled = np.sqrt(pooled * (1 - pooled) * (1 / trials_control + 1 / trials_variant))
    se = np.sqrt(p_c * (1 - p_c) / trials_control + p_v * (1 - p_v) / trials_variant)
    interval = _normal_comparison(p_v - p_c, se, alpha)
    p_value = 2 * stats.norm.sf(abs(p_v - p_c) / se_pooled) if se_pooled > 0 else np.nan
    return Comparison(p_v - p_c, interval.ci_low, interval.ci_high, p_value, se)


def welch_test(control: np.ndarray, variant: np.ndarray, alpha: float) -> Comparison:
    """Difference of means with Welch's t-test and its Welch-Satterthwaite interval."""
    if len(control) < 2 or len(variant) < 2:
        return NO_COMPARISON
    return _welch(float(np.mean(variant) - np.mean(control)), control, variant, alpha)


def _welch(difference: float, control: np.ndarray, variant: np.ndarray, alpha: float) -> Comparison:
    """`difference` with the standard error and Welch-Satterthwaite degrees of freedom of a
    difference of the two samples' means (each sample at least two values)."""
    var_c, var_v = np.var(control, ddof=1) / len(control), np.var(variant, ddof=1) / len(variant)
    se = np.sqrt(var_c + var_v)
    if not se > 0:
        return Comparison(difference, np.nan, np.nan, np.nan)
    df = (var_c + var_v) ** 2 / (var_c**2 / (len(control) - 1) + var_v**2 / (len(variant) - 1))
    t = stats.t.ppf(1 - alpha / 2, df)
    p_value = 2 * stats.t.sf(abs(difference / se), df)
    return Comparison(difference, difference - t * se, difference + t * se, p_value, se)


def srm_p_value(observed: np.ndarray, expected_share: np.ndarray) -> float:
    """Chi-square goodness of fit of users per variant against the planned split."""
    observed = np.asarray(observed, dtype=float)
    share = np.asarray(expected_share, dtype=float)
    if observed.sum() == 0 or len(observed) < 2 or not np.all(share > 0):
        return np.nan
    expected = share / share.sum() * observed.sum()
    return float(stats.chi2.sf(((observed - expected) ** 2 / expected).sum(), len(observed) - 1))


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (NaN stays NaN and does not count)."""
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full(p.shape, np.nan)
    valid = np.flatnonzero(~np.isnan(p))
    order = valid[np.argsort(p[valid], kind="stable")]
    m = len(order)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[index]))
        adjusted[index] = running
    return adjusted


# --- sequential analysis: the normal mixture SPRT --------------------------------------------
#
# With an estimate d of the difference whose variance is V, mixing the normal likelihood
# ratio over a N(0, tau^2) prior on the true difference gives the martingale
#   L = sqrt(V / (V + tau^2)) * exp(tau^2 d^2 / (2 V (V + tau^2)));
# by Ville's inequality L stays below 1 / alpha at every look with probability 1 - alpha
# under the null, so {d : L < 1 / alpha} is a confidence sequence and min(1, 1 / L) an
# always-valid p-value. With r = (V + tau^2) / V the half-width is
#   sqrt(2 V r / (r - 1) * log(sqrt(r) / alpha)).
# tau^2 = rho^2 * sigma^2, sigma^2 = V * n the per-user variance (n users in both arms), so
# r = 1 + n rho^2; rho^2 = (-2 log alpha + log(1 - 2 log alpha)) / N makes the interval
# narrowest at N users (Howard et al. 2021; GrowthBook's tuning parameter).


def _mixture(
    standard_error: np.ndarray | float, users: np.ndarray | float, alpha: float, tuning_users: float
) -> tuple[np.ndarray, np.ndarray]:
    """The mixture SPRT's ratio r = 1 + n * rho^2 (rho tuned for `tuning_users`) and the
    variance of the estimate."""
    rho2 = (-2 * np.log(alpha) + np.log(1 - 2 * np.log(alpha))) / tuning_users
    ratio = 1 + np.asarray(users, dtype=float) * rho2
    return ratio, np.square(np.asarray(standard_error, dtype=float))


def always_valid_half_width(
    standard_error: np.ndarray | float,
    users: np.ndarray | float,
    alpha: float,
    tuning_users: float,
) -> np.ndarray:
    """Half-width of the mixture SPRT's confidence sequence (vectorised)."""
    r, variance = _mixture(standard_error, users, alpha, tuning_users)
    return np.sqrt(2 * variance * r / (r - 1) * np.log(np.sqrt(r) / alpha))


def always_valid_p_value(
    difference: np.ndarray | float,
    standard_error: np.ndarray | float,
    users: np.ndarray | float,
    alpha: float,
    tuning_users: float,
) -> np.ndarray:
    """min(1, 1 / L): below alpha exactly when 0 is outside the confidence sequence."""
    r, variance = _mixture(standard_error, users, alpha, tuning_users)
    d2 = np.square(np.asarray(difference, dtype=float))
    return np.minimum(1.0, np.sqrt(r) * np.exp(-(r - 1) * d2 / (2 * variance * r)))


def sequential_comparison(
    comparison: Comparison, users: float, alpha: float, tuning_users: float
) -> Comparison:
    """The same estimate with the always-valid interval and p-value instead of fixed-horizon ones."""
    se, difference = comparison.standard_error, comparison.difference
    if not se > 0 or not users > 0:
        return Comparison(difference, np.nan, np.nan, np.nan, se)
    half = float(always_valid_half_width(se, users, alpha, tuning_users))
    p_value = float(always_valid_p_value(difference, se, users, alpha, tuning_users))
    return Comparison(difference, difference - half, difference + half, p_value, se)


def minimum_detectable_effect(comparison: Comparison, power: float = 0.8) -> float:
    """The absolute effect found with probability `power`: the decision rejects when the
    estimate clears the interval's half-width h, so MDE = h + z_power * se (for the
    fixed-horizon test (z_(1 - alpha/2) + z_power) * se, the textbook formula)."""
    se = comparison.standard_error
    if not se > 0 or np.isnan(comparison.ci_high):
        return np.nan
    half = (comparison.ci_high - comparison.ci_low) / 2
    return float(half + stats.norm.ppf(power) * se)


# --- designs randomised by unit (cluster, time slot) ----------------------------------------


def per_unit(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per randomisation unit (column unit_id), in unit_id order: its users'
    numerators, denominators and pre-period values summed. With the units as rows, every
    test below runs at the unit: a unit's users share its assignment and its shocks, so they
    are not independent observations."""
    sums = ["numerator", "denominator", "numerator_pre", "denominator_pre"]
    return rows.groupby("unit_id", sort=True)[sums].sum().reset_index()


def unit_ratio_test(control: pd.DataFrame, variant: pd.DataFrame, alpha: float) -> Comparison:
    """Difference of ratio metrics sum(numerator) / sum(denominator) between two arms whose
    rows are randomisation units (per_unit): the delta method on each unit's linearised
    value, which is the cluster-robust (sandwich) standard error of the user-level
    comparison with each arm's small-sample factor G / (G - 1), and Welch's t over units.
    Needs two units with a denominator in each arm."""
    groups = [g[g["denominator"] > 0] for g in (control, variant)]
    if any(len(g) < 2 for g in groups):
        return NO_COMPARISON
    ratios = [g["numerator"].sum() / g["denominator"].sum() for g in groups]
    linearised = [
        _linearised(g["numerator"].to_numpy(), g["denominator"].to_numpy(), r)
        for g, r in zip(groups, ratios, strict=True)
    ]
    return _welch(float(ratios[1] - ratios[0]), *linearised, alpha)


def lift_test(control: pd.DataFrame, variant: pd.DataFrame, test: str, alpha: float) -> Comparison:
    """Variant minus control under `test` (two_proportion_z, welch_t or UNIT_TEST) from the
    arms' rows (users, or units for UNIT_TEST) with numerator and denominator."""
    if test == UNIT_TEST:
        return unit_ratio_test(control, variant, alpha)
    if test == "two_proportion_z":
        sums = [(g["numerator"].sum(), g["denominator"].sum()) for g in (control, variant)]
        if any(successes > trials for successes, trials in sums):
            raise ValueError("numerator exceeds denominator: not a rate")
        return two_proportion_test(*sums[0], *sums[1], alpha)
    active = [g[g["denominator"] > 0] for g in (control, variant)]
    return welch_test(*[(g["numerator"] / g["denominator"]).to_numpy() for g in active], alpha)


def arm_standard_error(rows: pd.DataFrame, test: str) -> float:
    """Standard error of one arm's metric value under `test` (as lift_test)."""
    if test == UNIT_TEST:
        return ratio_standard_error(rows)
    if test == "two_proportion_z":
        p = rows["numerator"].sum() / rows["denominator"].sum()
        return float(np.sqrt(p * (1 - p) / rows["denominator"].sum()))
    values = (rows["numerator"] / rows["denominator"])[rows["denominator"] > 0]
    return float(values.std(ddof=1) / np.sqrt(len(values))) if len(values) > 1 else np.nan


def ratio_standard_error(rows: pd.DataFrame) -> float:
    """Delta-method standard error of sum(numerator) / sum(denominator) over independent
    rows (units): std of the linearised values / sqrt(rows)."""
    rows = rows[rows["denominator"] > 0]
    if len(rows) < 2:
        return np.nan
    ratio = rows["numerator"].sum() / rows["denominator"].sum()
    values = _linearised(rows["numerator"].to_numpy(), rows["denominator"].to_numpy(), ratio)
    return float(np.std(values, ddof=1) / np.sqrt(len(values)))


# --- CUPED -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cuped:
    """CUPED-adjusted variant minus control, and the share of variance it removed."""

    comparison: Comparison
    theta: float
    variance_reduction: float


def _linearised(numerator: np.ndarray, denominator: np.ndarray, ratio: float) -> np.ndarray:
    """Per-user delta-method linearisation of sum(numerator) / sum(denominator)."""
    return (numerator - ratio * denominator) / denominator.mean()


def cuped(control: pd.DataFrame, variant: pd.DataFrame, alpha: float) -> Cuped:
    """CUPED on a ratio metric from per-user numerator, denominator, numerator_pre and
    denominator_pre columns (a per-user mean has denominator 1 for every user in it)."""
    groups = [control, variant]
    if any(len(g) < 2 or g["denominator"].sum() == 0 for g in groups):
        return Cuped(NO_COMPARISON, np.nan, np.nan)
    ratios = [g["numerator"].sum() / g["denominator"].sum() for g in groups]
    outcome = [
        _linearised(g["numerator"].to_numpy(), g["denominator"].to_numpy(), r)
        for g, r in zip(groups, ratios, strict=True)
    ]
    pre = pd.concat(groups)
    if pre["denominator_pre"].sum() > 0:
        pre_ratio = pre["numerator_pre"].sum() / pre["denominator_pre"].sum()
        mean_pre_denominator = pre["denominator_pre"].mean()
        covariate = [
            (g["numerator_pre"].to_numpy() - pre_ratio * g["denominator_pre"].to_numpy())
            / mean_pre_denominator
            for g in groups
        ]
    else:
        covariate = [np.zeros(len(g)) for g in groups]
    # theta: the pooled within-group slope (the ANCOVA coefficient of the covariate).
    centred_x = [x - x.mean() for x in covariate]
    sxx = sum(float(x @ x) for x in centred_x)
    theta = sum(float(x @ y) for x, y in zip(centred_x, outcome, strict=True)) / sxx if sxx else 0.0
    difference = (ratios[1] - ratios[0]) - theta * (covariate[1].mean() - covariate[0].mean())
    raw_variance = sum(np.var(y, ddof=1) / len(y) for y in outcome)
    adjusted_variance = sum(
        np.var(y - theta * x, ddof=1) / len(y) for y, x in zip(outcome, covariate, strict=True)
    )
    reduction = 1 - adjusted_variance / raw_variance if raw_variance > 0 else np.nan
    return Cuped(
        _normal_comparison(difference, np.sqrt(adjusted_variance), alpha), theta, reduction
    )
