"""Matcher logic on synthetic pairs: threshold choice, split discipline, calibration,
registry promotion, scoring with the champion."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, f1_score

from catalog_ml import matching, registry


def pairs(n: int, seed: int, split: str) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    label = rng.random(n) < 0.4
    frame = pd.DataFrame({f: rng.random(n) for f in matching.FEATURES})
    frame["title_tfidf_cosine"] = np.clip(0.5 * label + 0.6 * rng.random(n), 0, 1)
    frame["model_number_match"] = np.where(rng.random(n) < 0.8, label, 1 - label).astype(float)
    frame["offer_id"] = [f"O{seed}_{i}" for i in range(n)]
    frame["product_id"] = [f"P{i}" for i in range(n)]
    frame["is_match"] = label.astype(int)
    frame["split"] = split
    return frame


def training() -> pd.DataFrame:
    return pd.concat([pairs(400, 1, "train"), pairs(200, 2, "valid")], ignore_index=True)


def test_best_f1_threshold_matches_brute_force():
    rng = np.random.default_rng(0)
    labels = (rng.random(300) < 0.3).astype(int)
    scores = np.round(np.clip(labels * 0.3 + rng.random(300) * 0.7, 0, 1), 2)  # with ties
    threshold, best = matching.best_f1_threshold(labels, scores)
    brute = max(f1_score(labels, scores >= t) for t in np.unique(scores))
    assert best == pytest.approx(brute)
    assert f1_score(labels, scores >= threshold) == pytest.approx(brute)


def test_training_refuses_test_labels():
    with pytest.raises(ValueError, match="must not contain test labels"):
        matching.fit(pd.concat([training(), pairs(10, 3, "test")]))


def test_fit_calibrates_and_round_trips():
    fitted = matching.fit(training())
    assert fitted is not None
    model, metrics = fitted
    valid = pairs(200, 2, "valid")
    probabilities = model.predict(valid)
    assert probabilities.min() >= 0 and probabilities.max() <= 1
    raw = model.raw_scores(valid)
    order = np.argsort(raw)
    distinct = np.diff(raw[order]) > 0
    # Platt scaling is strictly increasing: distinct raw scores stay distinct (no plateaus)
    assert np.all(np.diff(probabilities[order])[distinct] > 0)
    assert metrics["valid_average_precision"] > 0.8
    restored = matching.Matcher.from_json(model.to_json())
    np.testing.assert_allclose(restored.predict(valid), probabilities)


def test_platt_recovers_a_known_logistic_link():
    # labels drawn from P(match) = sigmoid(2 * logit(raw) - 1): the fit recovers slope 2, intercept -1
    rng = np.random.default_rng(7)
    raw = rng.uniform(0.01, 0.99, 40_000)
    truth = 1 / (1 + np.exp(-(2 * np.log(raw / (1 - raw)) - 1)))
    labels = (rng.random(raw.size) < truth).astype(int)
    slope, intercept = matching.fit_platt(raw, labels)
    assert slope == pytest.approx(2.0, abs=0.06)
    assert intercept == pytest.approx(-1.0, abs=0.06)
    np.testing.assert_allclose(matching.platt(raw, slope, intercept), truth, atol=0.02)


def test_platt_never_inverts_the_order():
    raw = np.linspace(0.05, 0.95, 50)
    slope, intercept = matching.fit_platt(raw, (raw < 0.5).astype(int))  # worse than chance
    assert (slope, intercept) == (1.0, 0.0)


def test_labels_without_a_valid_split_hold_out_a_fifth_of_the_train_offers():
    only_train = pairs(600, 1, "train")
    train, valid = matching.splits(only_train)
    assert 0.1 < len(valid) / len(only_train) < 0.3
    assert not set(train["offer_id"]) & set(valid["offer_id"])
    assert matching.splits(only_train)[1].equals(valid)  # the same fifth every time
    fitted = matching.fit(only_train)
    assert fitted is not None and fitted[1]["valid_rows"] == len(valid)
    given = training()  # a usable valid split is used as it is
    assert matching.splits(given)[1]["split"].eq("valid").all()


def test_too_little_data_trains_nothing():
    assert matching.fit(training().head(5)) is None
    assert matching.train_and_register(training().head(5), None, 0.01).empty


def test_registry_rows_first_champion_then_no_duplicate_then_challenger():
    first = matching.train_and_register(training(), None, margin=0.01)
    assert len(first) == 1 and bool(first.loc[0, "is_promoted"])
    assert matching.train_and_register(training(), first, margin=0.01).empty  # same version
    more = pd.concat([training(), pairs(100, 4, "train")], ignore_index=True)
    second = matching.train_and_register(more, first, margin=0.5)
    assert len(second) == 1 and not bool(second.loc[0, "is_promoted"])
    assert second.loc[0, "previous_champion_version"] == first.loc[0, "model_version"]
    registry_rows = pd.concat([first, second], ignore_index=True)
    scored = matching.score(pairs(20, 5, "test"), registry_rows, None)
    assert set(scored["model_version"]) == {first.loc[0, "model_version"]}
    assert matching.score(pairs(20, 5, "test"), registry.empty_registry(), None).empty


def test_weighted_average_precision_matches_sklearn():
    rng = np.random.default_rng(4)
    labels = (rng.random(300) < 0.3).astype(int)
    scores = np.round(labels * 0.2 + rng.random(300), 1)  # many ties
    weights = rng.integers(0, 4, 300).astype(float)  # a bootstrap resample's counts
    assert matching.average_precision(labels, scores) == pytest.approx(
        average_precision_score(labels, scores), abs=1e-12
    )
    assert matching.average_precision(labels, scores, weights) == pytest.approx(
        average_precision_score(labels, scores, sample_weight=weights), abs=1e-12
    )
    assert np.isnan(matching.average_precision(np.zeros(5), np.arange(5.0)))


def stored_as_older_version(rows: pd.DataFrame, stored_metric: float) -> pd.DataFrame:
    """The same model registered under another version with another stored holdout metric."""
    return rows.assign(model_version="older", holdout_metric=stored_metric)


def test_champion_is_rescored_on_the_new_holdout_not_read_from_the_registry():
    first = matching.train_and_register(training(), None, margin=0.0)
    # the champion is the very model the challenger retrains (same data, same seed), but the
    # registry says it scored 0.0: reusing that stored metric would promote the challenger
    champion = stored_as_older_version(first, stored_metric=0.0)
    second = matching.train_and_register(training(), champion, margin=0.0)
    row = second.iloc[0]
    assert row["previous_champion_version"] == "older"
    assert row["previous_champion_holdout_metric"] == pytest.approx(row["holdout_metric"])
    assert not bool(row["is_promoted"]) and "difference +0.0000" in row["promotion_reason"]
    metrics = json.loads(row["metrics_json"])
    assert metrics["promotion_difference_low"] == metrics["promotion_difference_high"] == 0.0
    assert metrics["promotion_holdout_units"] == 200  # valid offers


def test_challenger_that_clearly_wins_is_promoted_with_its_interval():
    noise = training()
    for feature in ["title_tfidf_cosine", "model_number_match"]:
        noise[feature] = np.random.default_rng(9).random(len(noise))
    weak = matching.train_and_register(noise, None, margin=0.0)
    strong = matching.train_and_register(training(), weak, margin=0.02).iloc[0]
    metrics = json.loads(strong["metrics_json"])
    assert bool(strong["is_promoted"]), strong["promotion_reason"]
    assert metrics["promotion_difference_low"] > 0.02
    assert strong["holdout_metric"] - strong["previous_champion_holdout_metric"] == pytest.approx(
        metrics["promotion_difference"]
    )
    too_few = matching.train_and_register(training(), weak, 0.02, min_holdout_offers=201)
    assert not bool(too_few.iloc[0]["is_promoted"])
    assert "holdout too small" in too_few.iloc[0]["promotion_reason"]
