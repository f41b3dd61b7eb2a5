"""Registry: version hashing, promotion rule, champion lookup and pinning, model round trip."""

from __future__ import annotations

import json
from datetime import datetime

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb

from catalog_ml import registry
from catalog_ml.registry import RegistryEntry


def test_version_changes_with_params_data_and_code_but_not_otherwise():
    data = pd.DataFrame({"x": [1.0, 2.0], "y": [0, 1]})
    base = registry.model_version([registry], {"depth": 3}, data)
    assert base == registry.model_version([registry], {"depth": 3}, data.copy())
    assert base != registry.model_version([registry], {"depth": 4}, data)
    assert base != registry.model_version([registry], {"depth": 3}, data.assign(y=[1, 1]))
    assert base != registry.model_version([registry, json], {"depth": 3}, data)
    shuffled = data.iloc[::-1].reset_index(drop=True)
    assert base == registry.model_version([registry], {"depth": 3}, shuffled)


@pytest.mark.parametrize(
    ("challenger", "champion", "expected"),
    [(0.80, None, True), (0.80, 0.79, True), (0.794, 0.79, False), (0.70, 0.79, False)],
)
def test_promotion_needs_the_margin(challenger, champion, expected):
    promoted, reason = registry.decide_promotion(challenger, champion, margin=0.005)
    assert promoted is expected
    assert reason


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
