"""Learning to rank for recommendations: XGBoost `rank:ndcg` grouped by user, its registry
row with champion/challenger promotion, and scoring with the champion.

Training rows are the candidates of the train cutoff (features from events before T1, labels
from [T1, eval cutoff)); a fixed share of those users (by a hash of user_id) is held out, and
the promotion decision compares NDCG@K of the challenger and of the champion, both scored now
on that same held-out set. Nothing here reads the evaluation window.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import xgboost as xgb

from catalog_ml import registry

MODEL_NAME = "recs_ranker"
# Every column of int_recs_ranker_features but these is a feature (one score and one rank per
# retrieval source, so adding a source adds its features without a change here).
NOT_FEATURES = {
    "cutoff_name",
    "user_id",
    "product_id",
    "retrieval_source",
    "category_level_1",
    "label",
}
PARAMS: dict[str, Any] = {
    "objective": "rank:ndcg",
    "eval_metric": "ndcg@10",
    "eta": 0.1,
    "min_child_weight": 1.0,
    "subsample": 0.8,
    "colsample_bytree": 0.8,
    "lambdarank_pair_method": "topk",
    "nthread": 2,
    "seed": 42,
}
# Chosen on validation users (never on the promotion holdout): tree depth from this grid and
# the number of rounds by early stopping on NDCG@10, at most MAX_ROUNDS.
DEPTHS = (3, 4, 6)
MAX_ROUNDS = 300
EARLY_STOPPING_ROUNDS = 25
VALIDATION_SHARE = 0.25
# The default of var recs_holdout_user_share (ml_ranker_train passes the var; SQL reads it too).
HOLDOUT_SHARE = 0.2
NO_MODEL_VERSION = "none"
# Cutoffs scored: eval and serve feed the lists; train rows are scored too, so monitors can
# compare the champion's score distribution on its training rows with the latest serving.
SCORED_CUTOFFS = ("train", "eval", "serve")


def user_fraction(user_id: str) -> float:
    """A user's fixed place in [0, 1] (md5 of the id): the same user is always on the same
    side of every split."""
    digest = hashlib.md5(str(user_id).encode()).hexdigest()
    return int(digest[:8], 16) / 0xFFFFFFFF


def is_holdout_user(user_id: str, share: float = HOLDOUT_SHARE) -> bool:
    """Users the promotion decision is measured on: the first `share` of user_fraction."""
    return user_fraction(user_id) < share


def is_validation_user(user_id: str, holdout_share: float = HOLDOUT_SHARE) -> bool:
    """Users hyperparameters are chosen on: the next VALIDATION_SHARE after the holdout."""
    return holdout_share <= user_fraction(user_id) < holdout_share + VALIDATION_SHARE


def feature_names(frame: pd.DataFrame) -> list[str]:
    """The ranker's features: every column but NOT_FEATURES, in the frame's order."""
    return [column for column in frame.columns if column not in NOT_FEATURES]


def feature_matrix(frame: pd.DataFrame, features: list[str]) -> np.ndarray:
    """Features as float32 in a fixed order; missing values stay NaN (XGBoost handles them)."""
    return frame.reindex(columns=features).apply(pd.to_numeric, errors="coerce").to_numpy("float32")


def ndcg_at_k(frame: pd.DataFrame, scores: np.ndarray, k: int = 10) -> float:
    """Mean NDCG@k over users with at least one positive label, ideal from the candidates
    (linear gain, log2 discount, as sklearn.metrics.ndcg_score)."""
    data = pd.DataFrame(
        {"user_id": frame["user_id"].to_numpy(), "label": frame["label"].to_numpy()}
    )
    data["score"] = scores
    values = []
    for _, group in data.groupby("user_id", sort=False):
        labels = group["label"].to_numpy(dtype=float)
        if labels.max() <= 0:
            continue
        discounts = 1.0 / np.log2(np.arange(2, min(k, len(labels)) + 2))
        order = np.argsort(-group["score"].to_numpy(), kind="stable")[:k]
        ideal = np.sort(labels)[::-1][:k]
        values.append(float((labels[order] * discounts).sum() / (ideal * discounts).sum()))
    return float(np.mean(values)) if values else 0.0


def _dmatrix(frame: pd.DataFrame, features: list[str]) -> xgb.DMatrix:
    ordered = frame.sort_values(["user_id", "product_id"], kind="stable")
    matrix = xgb.DMatrix(feature_matrix(ordered, features), label=ordered["label"].astype(float))
    matrix.set_group(ordered.groupby("user_id", sort=True).size().to_numpy())
    return matrix


def fit(
    train: pd.DataFrame, features: list[str], params: dict[str, Any], rounds: int
) -> xgb.Booster:
    return xgb.train(params, _dmatrix(train, features), num_boost_round=rounds)


def tune(
    train: pd.DataFrame, features: list[str], holdout_share: float = HOLDOUT_SHARE
) -> tuple[dict[str, Any], int, float]:
    """Depth and rounds chosen on the validation users of `train` (each depth of DEPTHS
    fitted on the others, stopped early on NDCG@10 of the validation users): the parameters,
    the rounds and the validation NDCG of the best. Without validation users (tiny data),
    the middle depth and 50 rounds."""
    validation_mask = (
        train["user_id"].map(lambda user: is_validation_user(user, holdout_share)).to_numpy()
    )
    fit_rows, validation = train[~validation_mask], train[validation_mask]
    if fit_rows.empty or validation.empty:
        return {**PARAMS, "max_depth": DEPTHS[len(DEPTHS) // 2]}, 50, float("nan")
    dfit, dvalid = _dmatrix(fit_rows, features), _dmatrix(validation, features)
    best: tuple[float, dict[str, Any], int] | None = None
    for depth in DEPTHS:
        params = {**PARAMS, "max_depth": depth}
        booster = xgb.train(
            params,
            dfit,
            MAX_ROUNDS,
            evals=[(dvalid, "validation")],
            early_stopping_rounds=EARLY_STOPPING_ROUNDS,
            verbose_eval=False,
        )
        rounds, score = booster.best_iteration + 1, float(booster.best_score)
        if best is None or score > best[0]:
            best = (score, params, rounds)
    return best[1], best[2], best[0]


def predict(booster: xgb.Booster, frame: pd.DataFrame, features: list[str]) -> np.ndarray:
    return booster.predict(xgb.DMatrix(feature_matrix(frame, features)))


def train_and_register(
    features: pd.DataFrame,
    existing: pd.DataFrame | None,
    margin: float,
    k: int = 10,
    holdout_share: float = HOLDOUT_SHARE,
) -> pd.DataFrame:
    """The registry rows a training run appends: one new version, or none when the same code,
    parameters and data were already registered, or when there is nothing to learn from
    (no training user with a positive label)."""
    existing = existing if existing is not None else registry.empty_registry()
    empty = registry.empty_registry()
    rows = features[features["cutoff_name"] == "train"].copy()
    rows["label"] = pd.to_numeric(rows["label"], errors="coerce").fillna(0)
    rows = rows.sort_values(["user_id", "product_id"], kind="stable").reset_index(drop=True)
    positive_users = rows.loc[rows["label"] > 0, "user_id"].unique()
    rows = rows[rows["user_id"].isin(positive_users)]
    holdout_mask = rows["user_id"].map(lambda user: is_holdout_user(user, holdout_share))
    train, holdout = rows[~holdout_mask], rows[holdout_mask]
    if train.empty or holdout.empty:
        return empty
    features = feature_names(rows)
    version = registry.model_version(
        [registry, sys.modules[__name__]], {**PARAMS, "depths": DEPTHS, "features": features}, rows
    )
    if version in set(existing.loc[existing["model_name"] == MODEL_NAME, "model_version"]):
        return empty
    params, rounds, validation_ndcg = tune(train, features, holdout_share)
    booster = fit(train, features, params, rounds)
    metric = ndcg_at_k(holdout, predict(booster, holdout, features), k)
    champion = registry.current_champion(existing, MODEL_NAME)
    champion_metric = None
    if champion is not None:
        champion_features = json.loads(champion["feature_names_json"])
        champion_booster = registry.load_booster(champion["model_json"])
        champion_metric = ndcg_at_k(
            holdout, predict(champion_booster, holdout, champion_features), k
        )
    promoted, reason = registry.decide_promotion(metric, champion_metric, margin)
    entry = registry.RegistryEntry(
        model_name=MODEL_NAME,
        model_version=version,
        trained_at=registry.utc_now(),
        params_json=json.dumps({**params, "rounds": rounds}, sort_keys=True),
        feature_names_json=json.dumps(features),
        training_rows=len(train),
        holdout_metric_name=f"ndcg@{k} on held-out training users",
        holdout_metric=metric,
        metrics_json=json.dumps(
            {
                "train_users": int(train["user_id"].nunique()),
                "holdout_users": int(holdout["user_id"].nunique()),
                "validation_ndcg": validation_ndcg,
                "max_depth": params["max_depth"],
                "rounds": rounds,
            }
        ),
        previous_champion_version=None if champion is None else str(champion["model_version"]),
        previous_champion_holdout_metric=champion_metric,
        is_promoted=promoted,
        promotion_reason=reason,
        model_json=registry.serialize_booster(booster),
    )
    return entry.to_frame()


SCORE_SCHEMA = pa.schema(
    [
        ("cutoff_name", pa.string()),
        ("user_id", pa.string()),
        ("product_id", pa.string()),
        ("ranker_score", pa.float64()),
        ("model_version", pa.string()),
    ]
)


def score_batches(
    batches: Iterable[pd.DataFrame], registry_rows: pd.DataFrame, pinned_version: str | None
) -> Iterator[pd.DataFrame]:
    """Scores in [0, 1] (logistic of the ranker's margin) for the candidates of SCORED_CUTOFFS,
    with the champion (or the pinned version), batch by batch (scale 10's 12M candidate rows
    do not fit in memory as one frame). Without any registered model the score is a
    retrieval heuristic, 1 / best source rank, and model_version is 'none'."""
    champion = registry.current_champion(registry_rows, MODEL_NAME, pinned_version or None)
    if champion is not None:
        booster = registry.load_booster(champion["model_json"])
        features = json.loads(champion["feature_names_json"])
    for batch in batches:
        rows = batch[batch["cutoff_name"].isin(SCORED_CUTOFFS)]
        if champion is None:
            ranks = pd.to_numeric(rows["best_source_rank"]).clip(lower=1).to_numpy(dtype=float)
            values, version = 1.0 / ranks, NO_MODEL_VERSION
        else:
            margins = predict(booster, rows, features)
            values = 1.0 / (1.0 + np.exp(-margins.astype(float)))
            version = str(champion["model_version"])
        yield pd.DataFrame(
            {
                "cutoff_name": rows["cutoff_name"].to_numpy(),
                "user_id": rows["user_id"].to_numpy(),
                "product_id": rows["product_id"].to_numpy(),
                "ranker_score": values,
                "model_version": version,
            }
        )
