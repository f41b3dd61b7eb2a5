"""Experiment statistics: the tests behind fct_experiment_results.

Every comparison is a variant against its experiment's control, in the metric's own units:
- rates (a ratio of counts, e.g. clicks / impressions): two-proportion z-test, the
  denominator's units as trials (pooled variance for the p-value, unpooled for the interval);
- per-user means (a ratio over distinct users): Welch's t-test on the users' values;
- CUPED at the randomisation unit, the user: each metric is linearised per user (the delta
  method; for a per-user mean this is the plain user value) and adjusted with the user's
  value of the same metric in the pre-period. The adjusted difference is the treatment
  coefficient of the ANCOVA regression of the linearised outcome on treatment and the
  centred covariate; its standard error comes from the adjusted per-user values, so it
  respects that a user's impressions are not independent trials. The readout decides on it.
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
    """A variant minus control: difference, its confidence interval and p-value."""

    difference: float
    ci_low: float
    ci_high: float
    p_value: float


def _normal_comparison(difference: float, standard_error: float, alpha: float) -> Comparison:
    if not standard_error > 0:
        return Comparison(difference, np.nan, np.nan, np.nan)
    z = stats.norm.ppf(1 - alpha / 2)
    p_value = 2 * stats.norm.sf(abs(difference / standard_error))
    return Comparison(
        difference, difference - z * standard_error, difference + z * standard_error, p_value
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
    return Comparison(p_v - p_c, interval.ci_low, interval.ci_high, p_value)


def welch_test(control: np.ndarray, variant: np.ndarray, alpha: float) -> Comparison:
    """Difference of means with Welch's t-test and its Welch-Satterthwaite interval."""
    if len(control) < 2 or len(variant) < 2:
        return Comparison(np.nan, np.nan, np.nan, np.nan)
    var_c, var_v = np.var(control, ddof=1) / len(control), np.var(variant, ddof=1) / len(variant)
    se = np.sqrt(var_c + var_v)
    difference = float(np.mean(variant) - np.mean(control))
    if not se > 0:
        return Comparison(difference, np.nan, np.nan, np.nan)
    df = (var_c + var_v) ** 2 / (var_c**2 / (len(control) - 1) + var_v**2 / (len(variant) - 1))
    t = stats.t.ppf(1 - alpha / 2, df)
    p_value = 2 * stats.t.sf(abs(difference / se), df)
    return Comparison(difference, difference - t * se, difference + t * se, p_value)


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
        return Cuped(Comparison(np.nan, np.nan, np.nan, np.nan), np.nan, np.nan)
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


# Every column of the readout and its pandas dtype, as fct_experiment_results' contract types
# them (string = varchar, int64 = bigint, float64 = double, bool = boolean).
RESULT_DTYPES = {
    "experiment_id": "string",
    "variant": "string",
    "is_control": "bool",
    "metric_name": "string",
    "metric_role": "string",
    "statistical_test": "string",
    "desired_direction": "string",
    "users": "int64",
    "numerator": "float64",
    "denominator": "float64",
    "metric_value": "float64",
    "control_value": "float64",
    "absolute_lift": "float64",
    "relative_lift": "float64",
    "ci_low": "float64",
    "ci_high": "float64",
    "relative_ci_low": "float64",
    "relative_ci_high": "float64",
    "p_value": "float64",
    "cuped_absolute_lift": "float64",
    "cuped_ci_low": "float64",
    "cuped_ci_high": "float64",
    "cuped_p_value": "float64",
    "cuped_p_value_holm": "float64",
    "cuped_variance_reduction": "float64",
    "is_significant": "bool",
    "is_worse": "bool",
    "srm_p_value": "float64",
    "has_srm": "bool",
    "guardrail_status": "string",
    "decision": "string",
}
RESULT_COLUMNS = list(RESULT_DTYPES)


def _standard_error(rows: pd.DataFrame, test: str) -> float:
    """Standard error of one variant's metric value under the metric's test."""
    if test == "two_proportion_z":
        p = rows["numerator"].sum() / rows["denominator"].sum()
        return float(np.sqrt(p * (1 - p) / rows["denominator"].sum()))
    values = (rows["numerator"] / rows["denominator"])[rows["denominator"] > 0]
    return float(values.std(ddof=1) / np.sqrt(len(values))) if len(values) > 1 else np.nan


def _compare(control: pd.DataFrame, variant: pd.DataFrame, test: str, alpha: float) -> dict:
    """Every statistic of one variant against control on one metric."""
    c_value = control["numerator"].sum() / control["denominator"].sum()
    v_value = variant["numerator"].sum() / variant["denominator"].sum()
    if test == "two_proportion_z":
        if (control["numerator"].sum() > control["denominator"].sum()) or (
            variant["numerator"].sum() > variant["denominator"].sum()
        ):
            raise ValueError("numerator exceeds denominator: not a rate")
        comparison = two_proportion_test(
            control["numerator"].sum(),
            control["denominator"].sum(),
            variant["numerator"].sum(),
            variant["denominator"].sum(),
            alpha,
        )
    else:
        active = [g[g["denominator"] > 0] for g in (control, variant)]
        comparison = welch_test(
            *[(g["numerator"] / g["denominator"]).to_numpy() for g in active], alpha=alpha
        )
    # Relative lift v / c - 1 with its delta-method interval.
    se_c, se_v = _standard_error(control, test), _standard_error(variant, test)
    relative = v_value / c_value - 1 if c_value else np.nan
    relative_se = (
        np.sqrt(se_v**2 / c_value**2 + v_value**2 * se_c**2 / c_value**4) if c_value else np.nan
    )
    z = stats.norm.ppf(1 - alpha / 2)
    adjusted = cuped(control, variant, alpha)
    return {
        "control_value": c_value,
        "absolute_lift": comparison.difference,
        "relative_lift": relative,
        "ci_low": comparison.ci_low,
        "ci_high": comparison.ci_high,
        "relative_ci_low": relative - z * relative_se,
        "relative_ci_high": relative + z * relative_se,
        "p_value": comparison.p_value,
        "cuped_absolute_lift": adjusted.comparison.difference,
        "cuped_ci_low": adjusted.comparison.ci_low,
        "cuped_ci_high": adjusted.comparison.ci_high,
        "cuped_p_value": adjusted.comparison.p_value,
        "cuped_variance_reduction": adjusted.variance_reduction,
    }


def _decision(rows: pd.DataFrame, has_control: bool, has_srm: bool) -> pd.Series:
    """One decision per variant: invalid (no control, SRM), blocked by a guardrail that got
    significantly worse, else what the primary metric says."""
    guardrail_failed = bool((rows["metric_role"].eq("guardrail") & rows["is_worse"]).any())
    primary = rows[rows["metric_role"] == "primary"]
    if not has_control:
        decision = "invalid_no_control"
    elif has_srm:
        decision = "invalid_srm"
    elif primary.empty:
        decision = "invalid_primary_metric"
    elif guardrail_failed:
        decision = "blocked_by_guardrail"
    elif bool(primary["is_significant"].iloc[0]) and not bool(primary["is_worse"].iloc[0]):
        decision = "ship"
    elif bool(primary["is_significant"].iloc[0]):
        decision = "do_not_ship"
    else:
        decision = "inconclusive"
    return pd.Series(
        {"guardrail_status": "fail" if guardrail_failed else "pass", "decision": decision}
    )


def readout(
    user_metrics: pd.DataFrame,
    definitions: pd.DataFrame,
    variants: pd.DataFrame,
    experiments: pd.DataFrame,
    alpha: float,
    srm_alpha: float,
) -> pd.DataFrame:
    """fct_experiment_results before its health columns: one row per experiment in the
    registry, planned variant and experiment metric.

    user_metrics: experiment_id, variant, user_id, metric_name, numerator, denominator,
    numerator_pre, denominator_pre (counted users only); definitions: metric_name,
    statistical_test, desired_direction; variants: experiment_id, variant, expected_share,
    is_control; experiments: experiment_id, primary_metric, guardrail_metrics (comma list).
    """
    out = []
    for experiment in experiments.itertuples():
        planned = variants[variants["experiment_id"] == experiment.experiment_id]
        planned = planned.sort_values(["is_control", "variant"], ascending=[False, True])
        rows = user_metrics[user_metrics["experiment_id"] == experiment.experiment_id]
        guardrails = {g for g in str(experiment.guardrail_metrics or "").split(",") if g}
        users = rows.groupby("variant")["user_id"].nunique()
        counts = planned["variant"].map(users).fillna(0).to_numpy()
        srm = srm_p_value(counts, planned["expected_share"].to_numpy())
        control_name = planned.loc[planned["is_control"], "variant"]
        for metric in definitions.itertuples():
            metric_rows = rows[rows["metric_name"] == metric.metric_name]
            by_variant = dict(tuple(metric_rows.groupby("variant")))
            control = by_variant.get(control_name.iloc[0]) if len(control_name) else None
            for v in planned.itertuples():
                data = by_variant.get(v.variant, metric_rows.iloc[0:0])
                row = {
                    "experiment_id": experiment.experiment_id,
                    "variant": v.variant,
                    "is_control": bool(v.is_control),
                    "metric_name": metric.metric_name,
                    "metric_role": "primary"
                    if metric.metric_name == experiment.primary_metric
                    else "guardrail"
                    if metric.metric_name in guardrails
                    else "secondary",
                    "statistical_test": metric.statistical_test,
                    "desired_direction": metric.desired_direction,
                    "users": int(data["user_id"].nunique()),
                    "numerator": float(data["numerator"].sum()),
                    "denominator": float(data["denominator"].sum()),
                    "srm_p_value": srm,
                }
                row["metric_value"] = (
                    row["numerator"] / row["denominator"] if row["denominator"] else np.nan
                )
                if not v.is_control and control is not None and len(data) and len(control):
                    try:
                        row.update(_compare(control, data, metric.statistical_test, alpha))
                    except ValueError as error:
                        raise ValueError(
                            f"fct_experiment_results: experiment {experiment.experiment_id}, "
                            f"variant {v.variant}, metric {metric.metric_name}: {error}"
                        ) from error
                out.append(row)
    results = pd.DataFrame(out).reindex(columns=RESULT_COLUMNS)
    if results.empty:
        # No experiment (a folder without experiments, say): no rows, but every column typed,
        # or the empty object columns reach the warehouse untyped and break the contract.
        return results.astype(RESULT_DTYPES)
    # Holm across an experiment's treatment variants, per metric; decide on CUPED.
    results["cuped_p_value_holm"] = results.groupby(["experiment_id", "metric_name"])[
        "cuped_p_value"
    ].transform(lambda p: holm(p.to_numpy()))
    results["is_significant"] = results["cuped_p_value_holm"] < alpha
    better = np.where(
        results["desired_direction"] == "decrease",
        results["cuped_absolute_lift"] < 0,
        results["cuped_absolute_lift"] > 0,
    )
    results["is_worse"] = results["is_significant"] & ~better
    results["has_srm"] = results["srm_p_value"] < srm_alpha
    has_control = results.groupby("experiment_id")["is_control"].transform("any")
    decisions = [
        _decision(group, bool(has_control.loc[group.index[0]]), bool(group["has_srm"].iloc[0]))
        for _, group in results.groupby(["experiment_id", "variant"], sort=False)
    ]
    keys = results[["experiment_id", "variant"]].drop_duplicates()
    keyed = pd.concat([keys.reset_index(drop=True), pd.DataFrame(decisions)], axis=1)
    results = results.drop(columns=["guardrail_status", "decision"]).merge(
        keyed, on=["experiment_id", "variant"], how="left"
    )
    control_rows = results["is_control"]
    results.loc[control_rows, ["guardrail_status", "decision"]] = ["not_applicable", "control"]
    results.loc[control_rows, ["is_significant", "is_worse"]] = False
    return results[RESULT_COLUMNS]
