"""The readout's decisions, each pinned so that a changed formula fails a test (issue 21):
Holm per experiment and metric against statsmodels on a three-variant fixture, the decision
on CUPED rather than the raw test, the relative-lift interval against Fieller's interval and
a bootstrap computed here, every documented decision value reached by a fixture, zero users
read as invalid, and typed outputs however empty the inputs."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml
from experiment_fixtures import ALPHA, empty_user_metrics, experiment, inputs
from scipy import stats
from statsmodels.stats.multitest import multipletests

from catalog_ml.experiments import RESULT_DTYPES, readout

MART = Path(__file__).resolve().parents[2] / "models/marts/experiments/fct_experiment_results.yml"
CTR, CPU, HIDES = "click_through_rate", "clicks_per_user", "hide_rate"


def documented_decisions() -> set[str]:
    (model,) = yaml.safe_load(MART.read_text())["models"]
    (column,) = [c for c in model["columns"] if c["name"] == "decision"]
    return set(column["data_tests"][0]["accepted_values"]["arguments"]["values"])


def treated(out: pd.DataFrame, metric: str = CTR) -> pd.DataFrame:
    return out[~out["is_control"] & (out["metric_name"] == metric)].set_index("variant")


# --- Holm ------------------------------------------------------------------------------------

THREE_VARIANTS = {
    "control": (2000, {CTR: 0.0, CPU: 0.0}),
    "t1": (2000, {CTR: 0.05, CPU: 0.02}),
    "t2": (2000, {CTR: 0.0, CPU: 0.0}),
}


def test_holm_is_per_experiment_and_metric_as_statsmodels_computes_it():
    """Two three-variant experiments, two metrics each: every group's adjusted p-values are
    statsmodels' Holm over that group's treatment variants only (not pooled, not raw)."""
    out = readout(
        **inputs(experiment("H1", THREE_VARIANTS, seed=5), experiment("H2", THREE_VARIANTS, seed=6))
    )
    rows = out[~out["is_control"] & out["cuped_p_value"].notna()]
    assert len(rows) == 8
    for _, group in rows.groupby(["experiment_id", "metric_name"]):
        expected = multipletests(group["cuped_p_value"], method="holm")[1]
        assert group["cuped_p_value_holm"].to_numpy() == pytest.approx(expected, abs=1e-12)
    assert (rows["is_significant"] == (rows["cuped_p_value_holm"] < ALPHA)).all()


def test_holm_turns_a_nominally_significant_variant_inconclusive():
    """H1's t1 is significant alone (CUPED p 0.038) but not after Holm over two variants."""
    t = treated(readout(**inputs(experiment("H1", THREE_VARIANTS, seed=5))))
    assert 0.025 < t.loc["t1", "cuped_p_value"] < ALPHA < t.loc["t1", "cuped_p_value_holm"]
    assert t.loc["t1", "cuped_p_value_holm"] == pytest.approx(2 * t.loc["t1", "cuped_p_value"])
    assert t["decision"].tolist() == ["inconclusive", "inconclusive"]


# --- CUPED decides ---------------------------------------------------------------------------


def test_the_decision_follows_cuped_not_the_raw_test():
    """A +4% lift in clicks per user, hidden by between-user noise in the raw Welch test
    (p 0.60) and found once the pre-period removes it (CUPED p 0.010): ship."""
    arms = {"control": (600, {CPU: 0.0}), "treatment": (600, {CPU: 0.04})}
    row = treated(readout(**inputs(experiment("C", arms, primary=CPU, seed=18))), CPU).iloc[0]
    assert row["p_value"] > 0.5 and row["ci_low"] < 0 < row["ci_high"]
    assert row["cuped_p_value_holm"] < 0.02 and row["cuped_ci_low"] > 0
    assert row["is_significant"] and row["decision"] == "ship"


# --- relative lift ---------------------------------------------------------------------------


def fieller(v: float, se_v: float, c: float, se_c: float, alpha: float) -> tuple[float, float]:
    """Fieller's interval for v / c (independent estimates): the r with
    (v - r c)^2 <= z^2 (se_v^2 + r^2 se_c^2)."""
    z2 = stats.norm.ppf(1 - alpha / 2) ** 2
    a, b, k = c**2 - z2 * se_c**2, -2 * v * c, v**2 - z2 * se_v**2
    root = np.sqrt(b**2 - 4 * a * k)
    return (-b - root) / (2 * a), (-b + root) / (2 * a)


# Function scope: mutmut runs only the tests that call a function, fixtures included.
@pytest.fixture
def lifted() -> tuple[pd.DataFrame, pd.DataFrame]:
    arms = {"control": (2000, {CTR: 0.0, CPU: 0.0}), "treatment": (2000, {CTR: 0.1, CPU: 0.1})}
    kwargs = inputs(experiment("R", arms, seed=1))
    return readout(**kwargs), kwargs["user_metrics"]


def test_relative_lift_interval_of_a_rate_matches_fieller(lifted):
    out, users = lifted
    row = treated(out, CTR).loc["treatment"]
    sums = users[users["metric_name"] == CTR].groupby("variant")[["numerator", "denominator"]].sum()
    p = sums["numerator"] / sums["denominator"]
    se = np.sqrt(p * (1 - p) / sums["denominator"])
    low, high = fieller(p["treatment"], se["treatment"], p["control"], se["control"], ALPHA)
    width = high - low
    assert row["relative_lift"] == pytest.approx(p["treatment"] / p["control"] - 1, abs=1e-12)
    assert row["relative_ci_low"] == pytest.approx(low - 1, abs=0.02 * width)
    assert row["relative_ci_high"] == pytest.approx(high - 1, abs=0.02 * width)


def test_relative_lift_interval_of_a_per_user_mean_matches_a_bootstrap(lifted):
    """2,000 resamples of users within each arm: the bootstrap standard error of
    mean(treatment) / mean(control) gives the interval's width to within 6%."""
    out, users = lifted
    row = treated(out, CPU).loc["treatment"]
    rng = np.random.default_rng(0)
    means = {}
    for variant in ("control", "treatment"):
        x = users.loc[(users["metric_name"] == CPU) & (users["variant"] == variant), "numerator"]
        x = x.to_numpy()
        means[variant] = x[rng.integers(0, len(x), (2000, len(x)))].mean(axis=1)
    boot_se = np.std(means["treatment"] / means["control"], ddof=1)
    width = 2 * stats.norm.ppf(1 - ALPHA / 2) * boot_se
    assert row["relative_ci_high"] - row["relative_ci_low"] == pytest.approx(width, rel=0.06)
    centre = (row["relative_ci_high"] + row["relative_ci_low"]) / 2
    assert centre == pytest.approx(row["relative_lift"], abs=1e-12)


# --- every decision --------------------------------------------------------------------------


def in_units(data: tuple[pd.DataFrame, ...], units: int) -> tuple[pd.DataFrame, ...]:
    """An experiment randomised by unit: each variant's users spread over `units` units."""
    user_metrics, *rest = data
    number = user_metrics["user_id"].str.rsplit("-", n=1).str[1].astype(int) % units
    unit_id = user_metrics["variant"] + "-unit-" + number.astype(str)
    return (user_metrics.assign(unit_id=unit_id), *rest)


def decision_fixture() -> dict:
    """One experiment per decision value (EXPECTED says which)."""
    lift, drop, flat = {CTR: 0.15}, {CTR: -0.15}, {CTR: 0.0}
    return inputs(
        in_units(
            experiment("UNITS", {"control": (400, flat), "treatment": (400, lift)}, seed=10), 9
        ),
        experiment("SHIP", {"control": (4000, flat), "treatment": (4000, lift)}, seed=1),
        experiment("NO", {"control": (4000, flat), "treatment": (4000, drop)}, seed=2),
        experiment("FLAT", {"control": (4000, flat), "treatment": (4000, flat)}, seed=3),
        experiment("SRM", {"control": (3000, flat), "treatment": (2600, flat)}, seed=4),
        experiment("FEW", {"control": (60, flat), "treatment": (4000, lift)}, seed=5),
        experiment("ZERO", {"control": (0, flat), "treatment": (0, flat)}, seed=6),
        experiment(
            "GUARD",
            {"control": (4000, {**flat, HIDES: 0.0}), "treatment": (4000, {**lift, HIDES: 0.5})},
            guardrails=f"add_to_cart_rate,{HIDES}",
            seed=7,
        ),
        experiment("NOCTRL", {"a": (4000, flat), "b": (4000, flat)}, seed=8),
        experiment("PRIMARY", {"control": (500, flat), "t": (500, flat)}, primary="gone", seed=9),
    )


EXPECTED = {
    "SHIP": "ship",
    "NO": "do_not_ship",
    "FLAT": "inconclusive",
    "SRM": "invalid_srm",
    "FEW": "invalid_too_few_users",
    "ZERO": "invalid_too_few_users",
    "GUARD": "blocked_by_guardrail",
    "NOCTRL": "invalid_no_control",
    "PRIMARY": "invalid_primary_metric",
    "UNITS": "invalid_too_few_units",
}


# Function scope: mutmut runs only the tests that call a function, fixtures included.
@pytest.fixture
def decisions() -> pd.DataFrame:
    return readout(**decision_fixture())


REASONS = {
    "SHIP": "click_through_rate significantly better: CUPED p-value after Holm ",
    "NO": "click_through_rate significantly worse: CUPED p-value after Holm ",
    "FLAT": "click_through_rate: CUPED p-value after Holm ",
    "SRM": "sample ratio mismatch: srm_p_value ",
    "FEW": "4000 counted users in treatment and 60 in control;",
    "GUARD": "guardrail hide_rate significantly worse",
    "NOCTRL": "the registry's split names no control variant",
    "PRIMARY": "primary metric gone is not an experiment metric",
    "UNITS": "randomised by unit: 9 units in treatment and 9 in control;",
}


def test_every_documented_decision_is_reached_with_its_reason(decisions):
    variants = decisions[~decisions["is_control"]]
    by_experiment = variants.groupby("experiment_id")["decision"].unique().map(list)
    assert by_experiment.to_dict() == {k: [v] for k, v in EXPECTED.items()}
    assert set(decisions["decision"]) == documented_decisions()
    assert decisions["decision_reason"].notna().all()
    for experiment_id, reason in (
        variants.groupby("experiment_id")["decision_reason"].first().items()
    ):
        assert reason.startswith(REASONS.get(experiment_id, "0 counted users")), reason
    flat = variants.loc[variants["experiment_id"] == "FLAT"].iloc[0]
    assert flat["decision_reason"].endswith(
        f"not below 0.05; minimum detectable effect {flat['cuped_mde']:.3g}"
    )
    status = variants.groupby("experiment_id")["guardrail_status"].first()
    assert status["GUARD"] == "fail" and status["SHIP"] == "pass"
    assert set(decisions.loc[decisions["is_control"], "guardrail_status"]) == {"not_applicable"}
    roles = decisions[decisions["experiment_id"] == "GUARD"].groupby("metric_name")["metric_role"]
    assert roles.first().to_dict() == {
        "click_through_rate": "primary",
        "clicks_per_user": "secondary",
        "hide_rate": "guardrail",
    }
    # Control first, then the variants in name order, in every experiment.
    first = decisions.groupby("experiment_id", sort=False)["variant"].first()
    assert (first.drop("NOCTRL") == "control").all() and first["NOCTRL"] == "a"


def test_zero_users_read_invalid_with_a_reason(decisions):
    rows = decisions[decisions["experiment_id"] == "ZERO"]
    assert (rows["users"] == 0).all() and not rows["has_srm"].any()
    reasons = set(rows.loc[~rows["is_control"], "decision_reason"])
    assert reasons == {
        "0 counted users in treatment and 0 in control;"
        " the readout needs 100 in each (var experiment_min_users)"
    }
    few = decisions[(decisions["experiment_id"] == "FEW") & ~decisions["is_control"]]
    assert few["decision_reason"].str.startswith("4000 counted users in treatment and 60").all()


def test_the_minimum_is_a_parameter_checked_before_the_sample_ratio():
    """Below the minimum nothing else is judged; at it, 60 against 4,000 users on a 50/50
    split is a sample ratio mismatch."""
    out = readout(**decision_fixture(), min_users=60)
    few = out[(out["experiment_id"] == "FEW") & ~out["is_control"]]
    assert set(few["decision"]) == {"invalid_srm"}
    out = readout(**decision_fixture(), min_users=61)
    few = out[(out["experiment_id"] == "FEW") & ~out["is_control"]]
    assert set(few["decision"]) == {"invalid_too_few_users"}


# --- typed outputs ---------------------------------------------------------------------------


def duckdb_types(frame: pd.DataFrame) -> dict[str, str]:
    with duckdb.connect() as con:
        relation = con.sql("select * from frame")
        return dict(zip(relation.columns, map(str, relation.types), strict=True))


def test_outputs_are_typed_however_empty_the_inputs(decisions):
    expected = duckdb_types(decisions)
    assert list(decisions.dtypes.astype(str)) == [str(t) for t in RESULT_DTYPES.values()]
    zero = inputs(experiment("ZERO", {"control": (0, {}), "treatment": (0, {})}))
    zero["user_metrics"] = empty_user_metrics()
    no_rows = {**zero, "experiments": zero["experiments"].iloc[0:0]}
    no_metrics = {**zero, "definitions": zero["definitions"].iloc[0:0]}
    for case in (zero, no_rows, no_metrics):
        out = readout(**case)
        assert list(out.dtypes.astype(str)) == [str(t) for t in RESULT_DTYPES.values()]
        assert duckdb_types(out) == expected
    assert set(readout(**zero).loc[lambda o: ~o["is_control"], "decision"]) == {
        "invalid_too_few_users"
    }


def test_a_rate_above_one_is_refused_by_name_and_a_rate_of_one_is_not():
    arms = {"control": (200, {CTR: 0.0}), "treatment": (200, {CTR: 0.0})}
    kwargs = inputs(experiment("RATE", arms, seed=2))
    users = kwargs["user_metrics"]
    ones = users.assign(numerator=users["denominator"])
    row = treated(readout(**{**kwargs, "user_metrics": ones})).loc["treatment"]
    assert row["absolute_lift"] == 0.0 and row["metric_value"] == 1.0
    too_many = users["variant"].eq("treatment") & users["metric_name"].eq(CTR)
    broken = users.assign(numerator=users["numerator"].where(~too_many, users["denominator"] + 1))
    with pytest.raises(
        ValueError,
        match="RATE, variant treatment, metric click_through_rate: "
        "numerator exceeds denominator: not a rate",
    ):
        readout(**{**kwargs, "user_metrics": broken})
