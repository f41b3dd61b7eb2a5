"""Registry: version hashing, promotion rule, champion lookup and pinning, model round trip."""

from __future__ import annotations

import json
from datetime import datetime

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb

from catalog_ml import registry, versioning
from catalog_ml.registry import RegistryEntry


def test_version_changes_with_params_data_and_code_but_not_otherwise():
    data = pd.DataFrame({"x": [1.0, 2.0], "y": [0, 1]})
    base = versioning.model_version([registry], {"depth": 3}, data)
    assert base == versioning.model_version([registry], {"depth": 3}, data.copy())
    assert base != versioning.model_version([registry], {"depth": 4}, data)
    assert base != versioning.model_version([registry], {"depth": 3}, data.assign(y=[1, 1]))
    assert base != versioning.model_version([registry, json], {"depth": 3}, data)
    shuffled = data.iloc[::-1].reset_index(drop=True)
    assert base == versioning.model_version([registry], {"depth": 3}, shuffled)


def test_version_ignores_float_noise_and_row_order_but_not_real_changes():
    rng = np.random.default_rng(3)
    data = pd.DataFrame(
        {
            "id": [f"r{i}" for i in range(200)],
            "score": rng.random(200) * 10.0 ** rng.integers(-4, 5, 200),
            "ratio": rng.normal(size=200),
            "near_zero": np.r_[np.zeros(100), rng.random(100)],
            "missing": np.where(rng.random(200) < 0.2, np.nan, rng.random(200)),
            "count": rng.integers(0, 50, 200),
        }
    )
    base = versioning.model_version([registry], {"depth": 3}, data)
    noisy = data.copy()
    for column in ["score", "ratio", "near_zero", "missing"]:
        noisy[column] = noisy[column] * (1 + rng.choice([-1e-12, 1e-12], 200))
    noisy["near_zero"] = noisy["near_zero"] + rng.choice([-1e-15, 0.0, 1e-15], 200)  # -0.0, 1e-15
    assert not noisy.equals(data)  # the bits differ, as after a parallel rebuild
    assert versioning.model_version([registry], {"depth": 3}, noisy) == base
    shuffled = noisy.sample(frac=1, random_state=0).reset_index(drop=True)
    assert versioning.model_version([registry], {"depth": 3}, shuffled) == base
    changed = data.copy()
    changed.loc[7, "ratio"] = changed.loc[7, "ratio"] * (1 + 1e-4)
    assert versioning.model_version([registry], {"depth": 3}, changed) != base
    filled = data.assign(missing=data["missing"].fillna(0.0))
    assert versioning.model_version([registry], {"depth": 3}, filled) != base


def test_hashing_rounds_floats_to_significant_digits_across_powers_of_ten():
    values = pd.Series([0.1, 0.0999999999999, 0.1000000000001, 1000.0, 999.99999999, 2 / 3])
    canonical = versioning.canonical_training_data(values.to_frame("x"))
    pairs = list(zip(canonical["x__mantissa"], canonical["x__exponent"], strict=True))
    assert pairs[0] == pairs[1] == pairs[2] == (100000.0, -6.0)
    assert pairs[3] == pairs[4] == (100000.0, -2.0)
    assert pairs[5] == (666667.0, -6.0)


def comparison(low: float, difference: float = 0.05, units: int = 100) -> registry.Comparison:
    return registry.Comparison(
        challenger_metric=0.5 + difference,
        champion_metric=0.5,
        difference=difference,
        difference_low=low,
        difference_high=difference + 0.02,
        units=units,
    )


def test_promotion_needs_the_lower_bound_strictly_above_the_margin():
    assert registry.decide_promotion(None, margin=0.01) == (True, "first version of this model")
    promoted, reason = registry.decide_promotion(comparison(low=0.0125), margin=0.0125)
    assert not promoted and "does not beat champion" in reason  # exactly at the margin: no
    promoted, reason = registry.decide_promotion(comparison(low=0.0126), margin=0.0125)
    assert promoted and "[+0.0126, +0.0700]" in reason and "100 holdout units" in reason
    # a point estimate above the margin is not enough when the interval reaches below it
    assert not registry.decide_promotion(comparison(low=-0.01, difference=0.05), margin=0.0)[0]
    promoted, reason = registry.decide_promotion(comparison(low=0.03), margin=0.0, min_units=101)
    assert not promoted and "holdout too small" in reason


def test_paired_bootstrap_of_a_constant_gain_is_exact():
    # every unit gains exactly 0.25: every resample's mean gain is 0.25, so is the interval
    result = registry.paired_bootstrap_means(np.full(40, 0.75), np.full(40, 0.5))
    assert (result.difference, result.difference_low, result.difference_high) == (0.25, 0.25, 0.25)
    assert not registry.decide_promotion(result, margin=0.25)[0]
    assert registry.decide_promotion(result, margin=0.2499)[0]


def test_paired_bootstrap_matches_hand_computed_resampling_distributions():
    # two units, gains +1 and -1: resample means are -1, 0, +1 with probability 1/4, 1/2, 1/4,
    # so the 95% interval is [-1, +1] and nothing is promoted
    result = registry.paired_bootstrap_means([1.0, 0.0], [0.0, 1.0])
    assert (result.difference, result.difference_low, result.difference_high) == (0.0, -1.0, 1.0)
    # three units, gains 0, 0, 0.3: mean gain 0.1, but a resample misses the third unit with
    # probability (2/3)^3 = 8/27 > 2.5%, so the lower bound is 0 (not above 0: no promotion);
    # it draws it three times with probability 1/27 > 2.5%, so the upper bound is 0.3
    result = registry.paired_bootstrap_means([0.5, 0.5, 0.8], [0.5, 0.5, 0.5])
    assert result.difference == pytest.approx(0.1)
    assert result.difference_low == pytest.approx(0.0, abs=1e-12)
    assert result.difference_high == pytest.approx(0.3)
    assert not registry.decide_promotion(result, margin=0.0)[0]
    draws = registry.bootstrap_weights(3)
    assert (draws[:, 2] == 0).mean() == pytest.approx(8 / 27, abs=0.03)


def test_paired_bootstrap_is_paired_and_seeded():
    # users differ a lot from each other, but the challenger gains 0.02 on every one of them:
    # pairing removes the between-user spread, an unpaired comparison could not see this gain
    champion = np.random.default_rng(1).random(60)
    result = registry.paired_bootstrap_means(champion + 0.02, champion)
    assert result.difference_low == pytest.approx(0.02) and result.units == 60
    assert registry.decide_promotion(result, margin=0.01)[0]
    noisy = registry.paired_bootstrap_means(np.random.default_rng(2).random(60), champion)
    assert noisy == registry.paired_bootstrap_means(np.random.default_rng(2).random(60), champion)
    assert noisy.difference_low < noisy.difference < noisy.difference_high


def entry(version: str, day: int, promoted: bool) -> pd.DataFrame:
    return RegistryEntry(
        model_name="matcher",
        model_version=version,
        trained_at=datetime(2026, 11, day),
        params_json="{}",
        feature_names_json="[]",
        training_rows=10,
        holdout_metric_name="average_precision",
        holdout_metric=0.5,
        metrics_json="{}",
        previous_champion_version=None,
        previous_champion_holdout_metric=None,
        is_promoted=promoted,
        promotion_reason="test",
        model_json="{}",
    ).to_frame()


def test_champion_is_latest_promoted_unless_pinned():
    table = pd.concat([entry("a", 1, True), entry("b", 2, True), entry("c", 3, False)])
    assert registry.current_champion(table, "matcher")["model_version"] == "b"
    assert registry.current_champion(table, "matcher", pinned_version="a")["model_version"] == "a"
    assert registry.current_champion(table, "ranker") is None
    with pytest.raises(ValueError, match="pinned version 'zz' of 'matcher' is not registered"):
        registry.current_champion(table, "matcher", pinned_version="zz")


def test_booster_round_trips_through_text():
    rng = np.random.default_rng(0)
    features = rng.random((200, 3))
    labels = (features[:, 0] > 0.5).astype(int)
    matrix = xgb.DMatrix(features, label=labels)
    booster = xgb.train({"objective": "binary:logistic", "nthread": 1, "seed": 0}, matrix, 5)
    restored = registry.load_booster(registry.serialize_booster(booster))
    np.testing.assert_allclose(restored.predict(matrix), booster.predict(matrix))


@pytest.mark.parametrize(
    ("value", "expected"), [(None, None), ("", None), ("None", None), ("abc", "abc")]
)
def test_pinned_version_reads_unset_vars_as_none(value, expected):
    assert registry.pinned_version(value) == expected


def test_paired_bootstrap_resamples_whole_units():
    # user a has two queries (gains +0.2, +0.2), user b one (gain -0.4): the mean gain over
    # queries is 0, and a resample draws users, each with all its queries: {a, a} -> +0.2,
    # {b, b} -> -0.4, {a, b} -> 0 (weights 1/4, 1/4, 1/2); the 2.5% quantile is -0.4
    result = registry.paired_bootstrap_means([0.7, 0.7, 0.1], [0.5, 0.5, 0.5], ["a", "a", "b"])
    assert result.units == 2
    assert result.difference == pytest.approx(0.0, abs=1e-12)
    assert result.difference_low == pytest.approx(-0.4)
    assert result.difference_high == pytest.approx(0.2)


def test_a_tie_on_trained_at_goes_to_the_later_version_as_in_mon_model_registry():
    tied = pd.DataFrame(
        {
            "model_name": ["m", "m", "m"],
            "model_version": ["b", "c", "a"],
            "trained_at": [pd.Timestamp("2026-01-01")] * 3,
            "is_promoted": [True, False, True],
        }
    )
    assert registry.current_champion(tied, "m")["model_version"] == "b"


def by_hand_bootstrap(gains_by_unit: np.ndarray, resamples: int, confidence: float, seed: int):
    """The percentile interval of the mean gain over units, resampling units with numpy's
    multinomial draws exactly as documented (n draws out of n units per resample)."""
    n = len(gains_by_unit)
    draws = np.random.default_rng(seed).multinomial(n, np.full(n, 1 / n), size=resamples)
    means = draws @ gains_by_unit / n
    tail = (1 - confidence) / 2
    return np.quantile(means, [tail, 1 - tail])


def test_paired_bootstrap_uses_the_resamples_confidence_and_seed_it_is_given():
    rng = np.random.default_rng(5)
    champion = rng.random(30)
    challenger = champion + rng.normal(0.01, 0.05, 30)
    result = registry.paired_bootstrap_means(
        challenger, champion, resamples=300, confidence=0.8, seed=11
    )
    low, high = by_hand_bootstrap(challenger - champion, 300, 0.8, 11)
    assert (result.difference_low, result.difference_high) == pytest.approx((low, high), rel=1e-12)
    assert (result.resamples, result.confidence, result.seed) == (300, 0.8, 11)
    assert result.to_metrics()["promotion_bootstrap_resamples"] == 300


def test_units_are_resampled_in_sorted_name_order():
    """Unit names given out of order: the resample weights go to the units sorted by name
    (so a build's result does not depend on row order)."""
    gains = {"u3": 0.3, "u1": -0.1, "u2": 0.05, "u0": 0.0}
    names = ["u3", "u1", "u2", "u0"]
    result = registry.paired_bootstrap_means(
        [gains[n] for n in names], [0.0] * 4, names, resamples=50, confidence=0.9, seed=4
    )
    in_order = np.array([gains[n] for n in sorted(names)])
    assert (result.difference_low, result.difference_high) == pytest.approx(
        tuple(by_hand_bootstrap(in_order, 50, 0.9, 4)), rel=1e-12
    )
    shuffled = registry.paired_bootstrap_means(
        [gains[n] for n in names[::-1]],
        [0.0] * 4,
        names[::-1],
        resamples=50,
        confidence=0.9,
        seed=4,
    )
    assert shuffled == result


def test_paired_bootstrap_on_one_unit_and_its_refusals():
    one = registry.paired_bootstrap_means([0.6], [0.5])
    assert one.units == 1 and one.difference_low == one.difference_high == pytest.approx(0.1)
    with pytest.raises(ValueError, match=r"^paired_bootstrap needs at least one holdout unit$"):
        registry.paired_bootstrap_means([], [])
    with pytest.raises(
        ValueError, match=r"^paired values must have one challenger and one champion value each$"
    ):
        registry.paired_bootstrap_means([0.5, 0.6], [0.5])


def test_values_fetched_as_decimals_are_averaged_as_floats():
    """A warehouse DECIMAL column fetched row by row arrives as Python Decimals."""
    from decimal import Decimal

    result = registry.paired_bootstrap_means(
        [Decimal("0.75")] * 4, [Decimal("0.5")] * 4, resamples=20
    )
    assert result.difference == pytest.approx(0.25) and result.difference_low == pytest.approx(0.25)


def test_promotion_at_exactly_the_minimum_holdout_and_at_exactly_the_margin():
    promoted, _ = registry.decide_promotion(
        comparison(low=0.03, units=100), margin=0.0, min_units=100
    )
    assert promoted, "a holdout of exactly min_units units is enough"
    # the interval clears the margin but the point estimate sits on it: a tie is not a win
    assert not registry.decide_promotion(comparison(low=0.0101, difference=0.01), margin=0.01)[0]


def test_the_promotion_rule_is_recorded_with_its_types():
    # vars reach the trainers as text or ints: the rule records a float margin and int units
    rule = registry.promotion_rule(0, "50")
    assert rule == {"promotion_margin": 0.0, "promotion_min_holdout_units": 50}
    assert isinstance(rule["promotion_margin"], float)
    assert isinstance(rule["promotion_min_holdout_units"], int)


def trained(metric: float) -> registry.Trained:
    return registry.Trained(
        model=metric,
        model_json="{}",
        params={"depth": 3},
        features=["f"],
        training_rows=10,
        holdout_metric_name="m",
        holdout_metric=metric,
        holdout_units=100,
        metrics={"extra": 1},
    )


def test_register_is_the_one_promotion_path_of_every_trainer():
    """The version hashes registry, versioning and the trainer's module; a registered version
    neither fits nor compares again; a challenger is judged on compare's interval."""
    from catalog_ml import metadata as trainer

    data = pd.DataFrame({"x": [1.0, 2.0]})
    calls = []

    def fit(metric):
        return lambda: calls.append("fit") or trained(metric)

    def compare(challenger: registry.Trained, champion: pd.Series) -> registry.Comparison:
        calls.append(("compare", champion["model_version"]))
        return comparison(low=challenger.model - 0.5, difference=challenger.model - 0.5)

    first = registry.register(trainer, ({"a": 1}, data), None, fit(0.5), compare, margin=0.01)
    expected = versioning.model_version([registry, versioning, trainer], {"a": 1}, data)
    assert first.iloc[0]["model_version"] == expected
    assert first.iloc[0]["model_name"] == trainer.MODEL_NAME and first.iloc[0]["is_promoted"]
    assert calls == ["fit"]
    again = registry.register(trainer, ({"a": 1}, data), first, fit(0.9), compare, margin=0.01)
    assert again.empty and calls == ["fit"]
    second = registry.register(trainer, ({"a": 2}, data), first, fit(0.6), compare, margin=0.01)
    row = second.iloc[0]
    assert calls[1:] == ["fit", ("compare", expected)]
    assert row["previous_champion_version"] == expected and bool(row["is_promoted"])
    assert json.loads(row["metrics_json"]) == {
        "extra": 1,
        **comparison(low=0.6 - 0.5, difference=0.6 - 0.5).to_metrics(),
        "promotion_holdout_units": 100,
        "promotion_margin": 0.01,
        "promotion_min_holdout_units": 0,
    }
    nothing = registry.register(trainer, ({"a": 3}, data), first, lambda: None, compare, 0.01)
    assert nothing.empty
