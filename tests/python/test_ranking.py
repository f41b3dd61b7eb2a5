"""catalog_ml.ranking: the user split, NDCG, training with registry promotion, and scoring."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import ndcg_score

from catalog_ml import portable, ranking, registry

NOISE_FEATURES = ["content_relative_score", "item_relative_popularity", "user_category_share"]


def candidates(
    seed: int = 0, users: int = 60, per_user: int = 12, cutoff: str = "train"
) -> pd.DataFrame:
    """Synthetic candidates whose label follows covisitation_relative_score, so a ranker can
    learn it; the other features are noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for user in range(users):
        for item in range(per_user):
            signal = rng.random()
            row = {"cutoff_name": cutoff, "user_id": f"u{user}", "product_id": f"p{item}"}
            row |= {name: rng.random() for name in NOISE_FEATURES}
            row |= {"covisitation_relative_score": signal, "covisitation_rank": item + 1}
            row["best_source_rank"] = item + 1
            row["label"] = 3 if signal > 0.85 else (1 if signal > 0.7 else 0)
            rows.append(row)
    return pd.DataFrame(rows)


def test_holdout_split_is_deterministic_and_about_the_share():
    users = [f"user{index}" for index in range(2000)]
    first = [ranking.is_holdout_user(user) for user in users]
    assert first == [ranking.is_holdout_user(user) for user in users]
    assert 0.15 < np.mean(first) < 0.25


def test_features_are_every_column_but_keys_and_label():
    frame = candidates(users=2, per_user=2)
    assert ranking.feature_names(frame) == [
        *NOISE_FEATURES,
        "covisitation_relative_score",
        "covisitation_rank",
        "best_source_rank",
    ]


def test_hyperparameters_are_chosen_on_validation_users_not_the_holdout():
    rows = ranking.train_and_register(candidates(users=200), None, margin=0.01)
    params = json.loads(rows.iloc[0]["params_json"])
    metrics = json.loads(rows.iloc[0]["metrics_json"])
    assert params["max_depth"] in ranking.DEPTHS and 0 <= params["rounds"] <= ranking.MAX_ROUNDS
    assert params["min_child_weight"] in ranking.MIN_CHILD_WEIGHTS
    assert metrics["validation_ndcg"] > 0.8
    users = pd.Series([f"user{index}" for index in range(4000)])
    validation, holdout = users.map(ranking.is_validation_user), users.map(ranking.is_holdout_user)
    assert not (validation & holdout).any()
    assert 0.2 < validation.mean() < 0.3


def test_ndcg_matches_sklearn():
    frame = pd.DataFrame(
        {"cutoff_name": "train", "user_id": ["a"] * 4 + ["b"] * 3, "label": [0, 1, 3, 1, 2, 0, 1]}
    )
    scores = np.array([4.0, 3.0, 2.0, 1.0, 0.5, 0.9, 0.1])
    expected = np.mean(
        [
            ndcg_score([[0, 1, 3, 1]], [[4.0, 3.0, 2.0, 1.0]], k=3),
            ndcg_score([[2, 0, 1]], [[0.5, 0.9, 0.1]], k=3),
        ]
    )
    assert ranking.ndcg_at_k(frame, scores, k=3) == pytest.approx(expected)


def test_first_version_is_champion_and_learns_the_signal():
    rows = ranking.train_and_register(candidates(), None, margin=0.01, k=5)
    assert len(rows) == 1
    row = rows.iloc[0]
    assert bool(row["is_promoted"]) and row["promotion_reason"] == "first version of this model"
    assert row["holdout_metric"] > 0.8  # the label is a function of one feature


def test_same_code_params_and_data_add_no_row():
    features = candidates()
    first = ranking.train_and_register(features, None, margin=0.01)
    assert ranking.train_and_register(features, first, margin=0.01).empty


def test_same_rows_in_any_order_train_a_byte_identical_model():
    """Same input, same output: XGBoost (hist, PARAMS' two threads and seed) gives the same
    model for the same rows, whatever order the warehouse returned them in."""
    features = candidates()
    assert ranking.PARAMS["nthread"] == 2
    first = ranking.train_and_register(features, None, margin=0.01).iloc[0]
    shuffled = features.sample(frac=1.0, random_state=7).reset_index(drop=True)
    second = ranking.train_and_register(shuffled, None, margin=0.01).iloc[0]
    assert second["model_version"] == first["model_version"]
    assert second["model_json"] == first["model_json"]
    assert second["holdout_metric"] == first["holdout_metric"]


def test_challenger_must_beat_the_champion_rescored_on_the_same_holdout():
    first = ranking.train_and_register(candidates(seed=0), None, margin=0.01)
    # more data of the same kind: a new version, but it cannot beat the champion by a huge margin
    second = ranking.train_and_register(candidates(seed=1), first, margin=0.5)
    assert len(second) == 1
    row = second.iloc[0]
    assert not bool(row["is_promoted"])
    assert row["previous_champion_version"] == first.iloc[0]["model_version"]
    assert row["previous_champion_holdout_metric"] is not None
    assert "does not beat champion" in row["promotion_reason"]


def test_champion_is_rescored_on_the_new_holdout_not_read_from_the_registry():
    features = candidates(users=300)
    first = ranking.train_and_register(features, None, margin=0.0)
    # the same model registered as an older version whose stored NDCG is 0.0: a challenger
    # retrained on the same data is the same model, so only re-scoring sees a tie
    champion = first.assign(model_version="older", holdout_metric=0.0)
    row = ranking.train_and_register(features, champion, margin=0.0).iloc[0]
    assert row["previous_champion_version"] == "older"
    assert row["previous_champion_holdout_metric"] == pytest.approx(row["holdout_metric"])
    assert not bool(row["is_promoted"]) and "difference +0.0000" in row["promotion_reason"]
    metrics = json.loads(row["metrics_json"])
    assert metrics["promotion_difference_low"] == metrics["promotion_difference_high"] == 0.0
    assert metrics["promotion_holdout_units"] == metrics["holdout_users"]


def model_of(row: pd.Series, frame: pd.DataFrame) -> tuple:
    """predict's arguments for a registry row on `frame`."""
    booster, features, base_source = ranking.stored_model(row)
    return booster, frame, features, base_source


def test_challenger_promotion_uses_the_per_user_paired_bootstrap():
    noise = candidates(seed=2, users=300)
    noise["label"] = np.random.default_rng(5).permutation(noise["label"].to_numpy())
    weak = ranking.train_and_register(noise, None, margin=0.0)
    features = candidates(seed=3, users=300)
    row = ranking.train_and_register(features, weak, margin=0.05).iloc[0]
    metrics = json.loads(row["metrics_json"])
    assert bool(row["is_promoted"]), row["promotion_reason"]
    assert metrics["promotion_difference_low"] > 0.05
    # the interval is the bootstrap of the per-user NDCG differences on the held-out users
    holdout = features[features["user_id"].map(ranking.is_holdout_user)]
    mine = ranking.ndcg_per_user(holdout, ranking.predict(*model_of(row, holdout)))
    theirs = ranking.ndcg_per_user(holdout, ranking.predict(*model_of(weak.iloc[0], holdout)))
    users = mine.index.get_level_values("user_id")
    expected = registry.paired_bootstrap_means(mine, theirs.reindex(mine.index), users)
    assert metrics["promotion_difference_low"] == pytest.approx(expected.difference_low)
    assert metrics["promotion_holdout_units"] == len(mine) == expected.units
    small = ranking.train_and_register(features, weak, 0.05, min_holdout_users=len(mine) + 1)
    assert "holdout too small" in small.iloc[0]["promotion_reason"]


def test_no_positive_labels_means_no_version():
    features = candidates()
    features["label"] = 0
    assert ranking.train_and_register(features, None, margin=0.01).empty


def score(frame, registry_rows, pinned):
    return pd.concat(list(ranking.score_batches([frame], registry_rows, pinned)))


def test_scores_use_the_champion_or_a_pinned_version_or_fall_back():
    registry_rows = ranking.train_and_register(candidates(seed=0), None, margin=0.01)
    serve = candidates(seed=3, users=5, cutoff="serve")
    scored = score(serve, registry_rows, None)
    assert len(scored) == len(serve) and scored["ranker_score"].between(0, 1).all()
    assert set(scored["model_version"]) == {registry_rows.iloc[0]["model_version"]}
    # the learned signal: higher covisitation_relative_score ranks higher
    assert np.corrcoef(scored["ranker_score"], serve["covisitation_relative_score"])[0, 1] > 0.5
    with pytest.raises(ValueError, match="not registered"):
        score(serve, registry_rows, "no-such-version")
    fallback = score(serve, registry.empty_registry(), None)
    assert set(fallback["model_version"]) == {ranking.NO_MODEL_VERSION}
    assert fallback["ranker_score"].tolist() == (1.0 / serve["best_source_rank"]).tolist()


def test_scoring_in_batches_equals_scoring_at_once(tmp_path):
    """The model reads its input in batches (portable.to_pandas_batches) and streams the scores
    out (portable.frames_to_reader): same rows and scores as one frame, schema as declared."""
    registry_rows = ranking.train_and_register(candidates(seed=0), None, margin=0.01)
    serve = candidates(seed=3, users=50, cutoff="serve")
    whole = score(serve, registry_rows, None)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.register("serve_frame", serve)
    batches = portable.to_pandas_batches(con.sql("select * from serve_frame"), rows=100)
    frames = ranking.score_batches(batches, registry_rows, None)
    reader = portable.frames_to_reader(frames, ranking.SCORE_SCHEMA)
    streamed = reader.read_all()
    assert streamed.num_rows == len(serve) > 100 and streamed.schema == ranking.SCORE_SCHEMA
    merged = whole.merge(streamed.to_pandas(), on=["cutoff_name", "user_id", "product_id"])
    assert len(merged) == len(whole)
    np.testing.assert_allclose(merged["ranker_score_x"], merged["ranker_score_y"], rtol=1e-6)


def test_train_rows_never_include_other_cutoffs():
    features = pd.concat([candidates(seed=0), candidates(seed=5, cutoff="eval")])
    only_train = ranking.train_and_register(candidates(seed=0), None, margin=0.01)
    with_eval = ranking.train_and_register(features, None, margin=0.01)
    assert only_train.iloc[0]["model_version"] == with_eval.iloc[0]["model_version"]


def test_every_training_cutoff_is_a_query_of_its_own():
    first, second = candidates(seed=0), candidates(seed=5, cutoff="train_2")
    row = ranking.train_and_register(pd.concat([first, second]), None, margin=0.01).iloc[0]
    metrics = json.loads(row["metrics_json"])
    # the same user ids at two cutoffs: a query per user and cutoff with a positive label
    both = pd.concat([first, second])
    trained = both[~both["user_id"].map(ranking.is_holdout_user) & (both["label"] > 0)]
    assert metrics["train_queries"] == len(trained[["cutoff_name", "user_id"]].drop_duplicates())
    assert metrics["train_queries"] > metrics["train_users"] == trained["user_id"].nunique()
    frame = pd.DataFrame(
        {
            "cutoff_name": ["train", "train", "train_2", "train_2"],
            "user_id": ["u", "u", "u", "u"],
            "label": [1, 0, 0, 1],
        }
    )
    # per query: the first is ranked right (1.0), the second wrong (1 / log2(3))
    per_query = ranking.ndcg_per_user(frame, np.array([2.0, 1.0, 2.0, 1.0]), k=2)
    assert per_query.to_dict() == pytest.approx(
        {("train", "u"): 1.0, ("train_2", "u"): 1 / np.log2(3)}
    )


def test_boosting_starts_from_the_best_source_and_keeps_its_order_without_trees():
    frame = pd.DataFrame({"covisitation_rank": [1, 2, 31], "content_rank": [3, 1, 2]})
    np.testing.assert_allclose(
        ranking.base_margin(frame, "covisitation"), [0.0, -np.log(2), -np.log(31)]
    )
    assert not ranking.base_margin(frame, None).any()
    with pytest.raises(ValueError, match="covisitation_rank is null in 1 rows"):
        ranking.base_margin(frame.assign(covisitation_rank=[1, None, 3]), "covisitation")
    # labels follow the content source's order; covisitation's rank and the scores are noise
    rows = candidates(seed=4, users=200)
    rows["content_rank"] = rows.groupby("user_id")["label"].rank(ascending=False, method="first")
    rows["content_relative_score"] = 1.0 / rows["content_rank"]
    features = ranking.feature_names(rows)
    params, rounds, base, _ = ranking.tune(rows, features)
    assert base == "content"
    booster = ranking.fit(rows, features, params, rounds, base)
    no_trees = ranking.fit(rows, features, params, 0, base)
    scores = ranking.predict(no_trees, rows, features, base)
    expected = ranking.base_margin(rows, base) + np.log(12)
    np.testing.assert_allclose(scores - scores.min(), expected, rtol=1e-5, atol=1e-6)
    assert ranking.ndcg_at_k(rows, ranking.predict(booster, rows, features, base)) > 0.99
