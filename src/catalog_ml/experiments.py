"""The experiment readout behind fct_experiment_results: every experiment, planned variant
and experiment metric against control, and one decision per variant.

The tests themselves (two-proportion z, Welch, CUPED, Holm, sample ratio mismatch, the
mixture SPRT of sequential analysis, the minimum detectable effect) live in
catalog_ml.experiment_stats; their names are re-exported here.

A variant's decision, in this order: invalid_no_control (the split names no control),
invalid_too_few_users (the variant or control has fewer counted users than `min_users`, zero
included), invalid_too_few_units (a design randomised by unit with fewer than MIN_UNITS units
in the variant or control), invalid_srm (sample ratio mismatch), invalid_primary_metric (the registry names a
metric the readout does not have), blocked_by_guardrail (a guardrail significantly worse),
else ship / do_not_ship / inconclusive from the primary metric's CUPED p-value after Holm's
correction across the experiment's treatment variants. `decision_reason` says why in words.

Designs randomised by unit (a cluster such as a region or merchant, or a switchback's time
slot: user_metrics' unit_id differs from user_id; randomisation_unit cluster, or time_slot when
the registry gives the experiment slot_hours) are read out at the unit: users are summed
per unit, every test runs on units (unit_ratio_test: the cluster-robust delta method), the
sample ratio is checked on units, sequential tuning is scaled to units, and CUPED uses the
unit's pre-period sums, or is not applied (cuped_note says why) when a unit has none.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from catalog_ml.experiment_stats import (
    UNIT_TEST,
    Comparison,
    Cuped,
    always_valid_half_width,
    always_valid_p_value,
    arm_standard_error,
    cuped,
    holm,
    lift_test,
    minimum_detectable_effect,
    per_unit,
    sequential_comparison,
    srm_p_value,
    two_proportion_test,
    welch_test,
)

__all__ = [
    "ANALYSES",
    "RESULT_COLUMNS",
    "RESULT_DTYPES",
    "Comparison",
    "Cuped",
    "always_valid_half_width",
    "always_valid_p_value",
    "cuped",
    "holm",
    "minimum_detectable_effect",
    "readout",
    "sequential_comparison",
    "srm_p_value",
    "two_proportion_test",
    "welch_test",
]

# fixed_horizon: one look at the planned end; sequential: always-valid intervals and p-values
# (the mixture SPRT), for readouts looked at while the experiment runs.
ANALYSES = ("fixed_horizon", "sequential")
# Defaults of the dbt vars experiment_min_users and experiment_sequential_tuning_users.
MIN_USERS = 100
SEQUENTIAL_TUNING_USERS = 5000
POWER = 0.8
# Fewest units per arm of a design randomised by unit: with fewer, the between-unit variance
# (and so the interval) is too poorly estimated to decide on.
MIN_UNITS = 10

# Every column of the readout and its pandas dtype, as fct_experiment_results' contract types
# them (string = varchar, int64 = bigint, float64 = double, bool = boolean).
RESULT_DTYPES = {
    "experiment_id": "string",
    "variant": "string",
    "is_control": "bool",
    "metric_name": "string",
    "metric_role": "string",
    "statistical_test": "string",
    "analysis": "string",
    "randomisation_unit": "string",
    "desired_direction": "string",
    "users": "int64",
    "units": "int64",
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
    "cuped_mde": "float64",
    "cuped_relative_mde": "float64",
    "cuped_note": "string",
    "is_significant": "bool",
    "is_worse": "bool",
    "srm_p_value": "float64",
    "has_srm": "bool",
    "guardrail_status": "string",
    "decision": "string",
    "decision_reason": "string",
}
RESULT_COLUMNS = list(RESULT_DTYPES)


def _compare(
    control: pd.DataFrame,
    variant: pd.DataFrame,
    test: str,
    alpha: float,
    analysis: str,
    tuning_users: float,
) -> dict:
    """Every statistic of one variant against control on one metric."""
    c_value = control["numerator"].sum() / control["denominator"].sum()
    v_value = variant["numerator"].sum() / variant["denominator"].sum()
    comparison = lift_test(control, variant, test, alpha)
    # Relative lift v / c - 1 with its delta-method interval: with independent arms,
    # Var(v / c) ~ se_v^2 / c^2 + v^2 se_c^2 / c^4.
    se_c, se_v = arm_standard_error(control, test), arm_standard_error(variant, test)
    relative = v_value / c_value - 1 if c_value else np.nan
    relative_se = (
        np.sqrt(se_v**2 / c_value**2 + v_value**2 * se_c**2 / c_value**4) if c_value else np.nan
    )
    z = stats.norm.ppf(1 - alpha / 2)
    adjusted, note = cuped(control, variant, alpha), None
    missing = int((control["denominator_pre"] <= 0).sum() + (variant["denominator_pre"] <= 0).sum())
    if test == UNIT_TEST and missing:
        # A unit without pre-period data (a switchback's time slot, a new cluster) has no
        # covariate: the adjustment would be a guess, so the unit-level test stands alone.
        adjusted = Cuped(comparison, 0.0, np.nan)
        note = (
            f"not applied: {missing} of {len(control) + len(variant)} units have no pre-period data"
        )
    decided = adjusted.comparison
    if analysis == "sequential":
        decided = sequential_comparison(decided, len(control) + len(variant), alpha, tuning_users)
    mde = minimum_detectable_effect(decided, POWER)
    return {
        "control_value": c_value,
        "absolute_lift": comparison.difference,
        "relative_lift": relative,
        "ci_low": comparison.ci_low,
        "ci_high": comparison.ci_high,
        "relative_ci_low": relative - z * relative_se,
        "relative_ci_high": relative + z * relative_se,
        "p_value": comparison.p_value,
        "cuped_absolute_lift": decided.difference,
        "cuped_ci_low": decided.ci_low,
        "cuped_ci_high": decided.ci_high,
        "cuped_p_value": decided.p_value,
        "cuped_variance_reduction": adjusted.variance_reduction,
        "cuped_mde": mde,
        "cuped_relative_mde": mde / abs(c_value) if c_value else np.nan,
        "cuped_note": note,
    }


@dataclass
class _Experiment:
    """What a variant's decision needs to know about its experiment."""

    has_control: bool
    control_users: int
    srm_p_value: float
    users: dict[str, int] = field(default_factory=dict)
    units: dict[str, int] | None = None  # per variant, for a design randomised by unit
    control_units: int = 0
    primary_metric: str = ""


def _decision(
    rows: pd.DataFrame,
    variant: str,
    experiment: _Experiment,
    alpha: float,
    srm_alpha: float,
    min_users: int,
) -> dict:
    """One decision per variant, with its reason in words (the module docstring's order)."""
    worse = rows["metric_role"].eq("guardrail") & rows["is_worse"]
    guardrails_worse = sorted(rows.loc[worse, "metric_name"])
    status = "fail" if guardrails_worse else "pass"
    primary = rows[rows["metric_role"] == "primary"]
    users = experiment.users.get(variant, 0)
    if not experiment.has_control:
        decision, reason = "invalid_no_control", "the registry's split names no control variant"
    elif min(users, experiment.control_users) < min_users:
        decision = "invalid_too_few_users"
        reason = (
            f"{users} counted users in {variant} and {experiment.control_users} in control;"
            f" the readout needs {min_users} in each (var experiment_min_users)"
        )
    elif experiment.units and min(experiment.units[variant], experiment.control_units) < MIN_UNITS:
        decision = "invalid_too_few_units"
        reason = (
            f"randomised by unit: {experiment.units[variant]} units in {variant} and"
            f" {experiment.control_units} in control; the readout needs {MIN_UNITS} in each"
        )
    elif experiment.srm_p_value < srm_alpha:
        decision = "invalid_srm"
        reason = f"sample ratio mismatch: srm_p_value {experiment.srm_p_value:.2g} < {srm_alpha}"
    elif primary.empty:
        decision = "invalid_primary_metric"
        reason = f"primary metric {experiment.primary_metric} is not an experiment metric"
    elif guardrails_worse:
        decision = "blocked_by_guardrail"
        reason = f"guardrail {', '.join(guardrails_worse)} significantly worse"
    else:
        first = primary.iloc[0]
        adjusted = "unadjusted" if isinstance(first["cuped_note"], str) else "CUPED"
        p = f"{adjusted} p-value after Holm {first['cuped_p_value_holm']:.2g}"
        if bool(first["is_significant"]) and not bool(first["is_worse"]):
            decision, reason = "ship", f"{first['metric_name']} significantly better: {p} < {alpha}"
        elif bool(first["is_significant"]):
            decision = "do_not_ship"
            reason = f"{first['metric_name']} significantly worse: {p} < {alpha}"
        else:
            decision = "inconclusive"
            reason = (
                f"{first['metric_name']}: {p} not below {alpha}; minimum detectable effect"
                f" {first['cuped_mde']:.3g}"
            )
    return {"guardrail_status": status, "decision": decision, "decision_reason": reason}


def readout(
    user_metrics: pd.DataFrame,
    definitions: pd.DataFrame,
    variants: pd.DataFrame,
    experiments: pd.DataFrame,
    alpha: float,
    srm_alpha: float,
    analysis: str = "fixed_horizon",
    min_users: int = MIN_USERS,
    sequential_tuning_users: float = SEQUENTIAL_TUNING_USERS,
) -> pd.DataFrame:
    """fct_experiment_results before its health columns: one row per experiment in the
    registry, planned variant and experiment metric, typed as RESULT_DTYPES (also when empty).

    user_metrics: experiment_id, variant, user_id, metric_name, numerator, denominator,
    numerator_pre, denominator_pre (counted users only) and unit_id (the randomisation unit;
    optional, the user when absent or equal); definitions: metric_name,
    statistical_test, desired_direction; variants: experiment_id, variant, expected_share,
    is_control; experiments: experiment_id, primary_metric, guardrail_metrics (comma list),
    slot_hours (optional; set for a switchback).
    analysis: fixed_horizon or sequential (the CUPED interval and p-value, hence the
    decision, are always-valid; tuned to be narrowest at `sequential_tuning_users`).
    """
    if analysis not in ANALYSES:
        raise ValueError(f"experiment analysis {analysis!r} is not one of {', '.join(ANALYSES)}")
    out, context = [], {}
    for experiment in experiments.itertuples():
        planned = variants[variants["experiment_id"] == experiment.experiment_id]
        planned = planned.sort_values(["is_control", "variant"], ascending=[False, True])
        rows = user_metrics[user_metrics["experiment_id"] == experiment.experiment_id]
        unit_ids = rows["unit_id"] if "unit_id" in rows.columns else rows["user_id"]
        rows = rows.assign(unit_id=unit_ids.fillna(rows["user_id"]))  # no unit: the user
        by_unit = bool((rows["unit_id"] != rows["user_id"]).any())
        # The design: a switchback randomises time slots (the registry's slot_hours).
        design = "time_slot" if pd.notna(getattr(experiment, "slot_hours", None)) else None
        design = design or ("cluster" if by_unit else "user")
        guardrails = {g for g in str(experiment.guardrail_metrics or "").split(",") if g}
        counts, units = (
            planned["variant"].map(rows.groupby("variant")[c].nunique()).fillna(0).astype(int)
            for c in ("user_id", "unit_id")
        )
        # The sample ratio is a property of what was randomised: units.
        srm = srm_p_value(units.to_numpy(), planned["expected_share"].to_numpy())
        control_name = planned.loc[planned["is_control"].astype(bool), "variant"]
        context[experiment.experiment_id] = _Experiment(
            has_control=len(control_name) > 0,
            control_users=int(counts[control_name.index].sum()),
            srm_p_value=srm,
            users=dict(zip(planned["variant"], counts, strict=True)),
            primary_metric=str(experiment.primary_metric),
            units=dict(zip(planned["variant"], units, strict=True)) if by_unit else None,
            control_units=int(units[control_name.index].sum()),
        )
        # Sequential tuning in the unit the test counts (the same share of the experiment).
        tuning = sequential_tuning_users * units.sum() / max(counts.sum(), 1)
        prepare = per_unit if by_unit else (lambda frame: frame)
        for metric in definitions.itertuples():
            metric_rows = rows[rows["metric_name"] == metric.metric_name]
            by_variant = {k: (g, prepare(g)) for k, g in metric_rows.groupby("variant")}
            control = by_variant.get(control_name.iloc[0]) if len(control_name) else None
            test = UNIT_TEST if by_unit else metric.statistical_test
            for v in planned.itertuples():
                raw, data = by_variant.get(v.variant, (metric_rows.iloc[0:0],) * 2)
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
                    "statistical_test": test,
                    "analysis": analysis,
                    "randomisation_unit": design,
                    "desired_direction": metric.desired_direction,
                    "users": int(raw["user_id"].nunique()),
                    "units": int(raw["unit_id"].nunique()),
                    "numerator": float(data["numerator"].sum()),
                    "denominator": float(data["denominator"].sum()),
                    "srm_p_value": srm,
                }
                row["metric_value"] = (
                    row["numerator"] / row["denominator"] if row["denominator"] else np.nan
                )
                if not v.is_control and control is not None and len(data) and len(control[1]):
                    try:
                        row.update(_compare(control[1], data, test, alpha, analysis, tuning))
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
    decisions = pd.DataFrame(
        [
            {
                "experiment_id": experiment_id,
                "variant": variant,
                **_decision(
                    group, variant, context[experiment_id], alpha, srm_alpha, int(min_users)
                ),
            }
            for (experiment_id, variant), group in results.groupby(
                ["experiment_id", "variant"], sort=False
            )
        ]
    )
    results = results.drop(columns=["guardrail_status", "decision", "decision_reason"]).merge(
        decisions, on=["experiment_id", "variant"], how="left"
    )
    control_rows = results["is_control"]
    results.loc[control_rows, ["guardrail_status", "decision", "decision_reason"]] = [
        "not_applicable",
        "control",
        "control variant: the baseline of the comparisons",
    ]
    results.loc[control_rows, ["is_significant", "is_worse"]] = False
    return results[RESULT_COLUMNS].astype(RESULT_DTYPES)
