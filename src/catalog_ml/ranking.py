"""Learning to rank for recommendations: XGBoost `rank:ndcg` grouped by query (one user at
one cutoff), its registry row with champion/challenger promotion, and scoring with the champion.

Training rows are the candidates of the training cutoffs (int_recs_cutoffs: features from
events before each cutoff, labels from the label window after it, all before the eval
cutoff); a fixed share of the users (by a hash of user_id) is held out, and the promotion
decision compares NDCG@K of the challenger and of the champion, both scored now on that same
held-out set. Nothing here reads the evaluation window.

Boosting starts from the best retrieval source's order (base margin -log(rank) of the source
that ranks the fitting users best), so the trees learn corrections to that source, and
validation users decide how many (none when no correction helps them).
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
# Chosen on validation users (never on the promotion holdout): tree depth and the smallest
# leaf weight from these grids, and the number of rounds by early stopping on NDCG@10, at most
# MAX_ROUNDS (0 rounds: the base source's order alone, when no tree improves on it).
DEPTHS = (2, 4, 6)
MIN_CHILD_WEIGHTS = (1.0, 10.0)
MAX_ROUNDS = 300
EARLY_STOPPING_ROUNDS = 20
VALIDATION_SHARE = 0.25
# Tuning fits every grid point: on at most this many fitting and validation users each (the
# first by user_fraction), so its cost stays bounded; the chosen model is fitted on them all.
TUNING_MAX_USERS = 3000
# The default of var recs_holdout_user_share (ml_ranker_train passes the var; SQL reads it too).
HOLDOUT_SHARE = 0.2
NO_MODEL_VERSION = "none"
# Cutoffs scored: eval and serve feed the lists; the latest training cutoff ('train') is
# scored too, so monitors can compare the champion's scores on training rows with serving.
SCORED_CUTOFFS = ("train", "eval", "serve")
# A ranking query: one user at one cutoff (a user can be a query at several training cutoffs).
QUERY_KEYS = ["cutoff_name", "user_id"]
# Training cutoffs are named 'train', 'train_2', ... (int_recs_cutoffs, var recs_training_cutoffs).
TRAINING_CUTOFF_PREFIX = "train"
RANK_SUFFIX = "_rank"
SOURCE_SCORE_SUFFIX = "_relative_score"


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


def first_users(rows: pd.DataFrame, max_users: int) -> pd.DataFrame:
    """The rows of the first `max_users` users by user_fraction (a fixed sample)."""
    users = pd.Series(rows["user_id"].unique())
    if len(users) <= max_users:
        return rows
    order = np.argsort(users.map(user_fraction).to_numpy(), kind="stable")
    return rows[rows["user_id"].isin(set(users.iloc[order[:max_users]]))]


def feature_names(frame: pd.DataFrame) -> list[str]:
    """The ranker's features: every column but NOT_FEATURES, in the frame's order."""
    return [column for column in frame.columns if column not in NOT_FEATURES]


def source_names(features: list[str]) -> list[str]:
    """The retrieval sources among the features: each has `<source>_relative_score` and
    `<source>_rank`."""
    scored = [
        name[: -len(SOURCE_SCORE_SUFFIX)] for name in features if name.endswith(SOURCE_SCORE_SUFFIX)
    ]
    return [source for source in scored if source + RANK_SUFFIX in features]


def base_margin(frame: pd.DataFrame, base_source: str | None) -> np.ndarray:
    """Where boosting starts: -log(rank) of the base source (0 at rank 1, falling with the
    rank, so a model of no trees orders candidates as that source does); 0 without one."""
    if base_source is None:
        return np.zeros(len(frame))
    column = base_source + RANK_SUFFIX
    ranks = pd.to_numeric(frame[column], errors="coerce")
    if ranks.isna().any():
        raise ValueError(f"ranker rows: {column} is null in {int(ranks.isna().sum())} rows")
    return -np.log(ranks.clip(lower=1).to_numpy(dtype=float))


def feature_matrix(frame: pd.DataFrame, features: list[str]) -> np.ndarray:
    """Features as float32 in a fixed order; missing values stay NaN (XGBoost handles them)."""
    return frame.reindex(columns=features).apply(pd.to_numeric, errors="coerce").to_numpy("float32")


def ndcg_per_user(frame: pd.DataFrame, scores: np.ndarray, k: int = 10) -> pd.Series:
    """NDCG@k of each query (QUERY_KEYS: a user at a cutoff) with at least one positive label
    (indexed by the query keys, sorted), ideal from the candidates (linear gain, log2
    discount, as sklearn.metrics.ndcg_score)."""
    data = frame[QUERY_KEYS].reset_index(drop=True)
    data["label"] = frame["label"].to_numpy()
    data["score"] = scores
    values = {}
    for user, group in data.groupby(QUERY_KEYS, sort=True):
        labels = group["label"].to_numpy(dtype=float)
        if labels.max() <= 0:
            continue
        discounts = 1.0 / np.log2(np.arange(2, min(k, len(labels)) + 2))
        order = np.argsort(-group["score"].to_numpy(), kind="stable")[:k]
        ideal = np.sort(labels)[::-1][:k]
        values[user] = float((labels[order] * discounts).sum() / (ideal * discounts).sum())
    index = pd.MultiIndex.from_tuples(list(values), names=QUERY_KEYS)
    return pd.Series(list(values.values()), index=index, dtype="float64", name="ndcg")


def ndcg_at_k(frame: pd.DataFrame, scores: np.ndarray, k: int = 10) -> float:
    """Mean NDCG@k over queries with at least one positive label (ndcg_per_user)."""
    values = ndcg_per_user(frame, scores, k)
    return float(values.mean()) if len(values) else 0.0


def _dmatrix(frame: pd.DataFrame, features: list[str], base_source: str | None) -> xgb.DMatrix:
    """Rows in query order (the groups XGBoost ranks within), starting at the base margin."""
    ordered = frame.sort_values([*QUERY_KEYS, "product_id"], kind="stable")
    matrix = xgb.DMatrix(
        feature_matrix(ordered, features),
        label=ordered["label"].astype(float),
        base_margin=base_margin(ordered, base_source),
    )
    matrix.set_group(ordered.groupby(QUERY_KEYS, sort=True).size().to_numpy())
    return matrix


def fit(
    train: pd.DataFrame,
    features: list[str],
    params: dict[str, Any],
    rounds: int,
    base_source: str | None,
) -> xgb.Booster:
    return xgb.train(params, _dmatrix(train, features, base_source), num_boost_round=rounds)


def tune(
    train: pd.DataFrame, features: list[str], holdout_share: float = HOLDOUT_SHARE
) -> tuple[dict[str, Any], int, str | None, float]:
    """The base source, depth, smallest leaf weight and rounds, chosen on the validation users
    of `train`: the base source is the one whose order ranks the other (fitting) users best;
    each grid point is fitted on the fitting users from that base and stopped early on the
    validation users; the best by NDCG@10 (ndcg_at_k) on the validation users wins, and 0
    rounds (the base alone) when no fitted model beats it. At most TUNING_MAX_USERS fitting
    and validation users each take part. Returns the parameters, rounds,
    base source and validation NDCG. Without validation users (tiny data): depth 2, 50 rounds
    from the base source."""
    validation_mask = (
        train["user_id"].map(lambda user: is_validation_user(user, holdout_share)).to_numpy()
    )
    fit_rows = first_users(train[~validation_mask], TUNING_MAX_USERS)
    validation = first_users(train[validation_mask], TUNING_MAX_USERS)
    ranked_on = fit_rows if not fit_rows.empty else train
    base = max(
        source_names(features),
        key=lambda source: ndcg_at_k(ranked_on, base_margin(ranked_on, source)),
        default=None,
    )
    fallback = {**PARAMS, "max_depth": DEPTHS[0], "min_child_weight": MIN_CHILD_WEIGHTS[-1]}
    if fit_rows.empty or validation.empty:
        return fallback, 50, base, float("nan")
    dfit, dvalid = _dmatrix(fit_rows, features, base), _dmatrix(validation, features, base)
    ordered_validation = validation.sort_values([*QUERY_KEYS, "product_id"], kind="stable")
    best = (ndcg_at_k(validation, base_margin(validation, base)), fallback, 0)
    for depth in DEPTHS:
        for min_child_weight in MIN_CHILD_WEIGHTS:
            params = {**PARAMS, "max_depth": depth, "min_child_weight": min_child_weight}
            booster = xgb.train(
                params,
                dfit,
                MAX_ROUNDS,
                evals=[(dvalid, "validation")],
                early_stopping_rounds=EARLY_STOPPING_ROUNDS,
                verbose_eval=False,
            )
            rounds = booster.best_iteration + 1
            scores = booster.predict(dvalid, iteration_range=(0, rounds))
            score = ndcg_at_k(ordered_validation, scores)
            if score > best[0]:
                best = (score, params, rounds)
    return best[1], best[2], base, best[0]


def predict(
    booster: xgb.Booster, frame: pd.DataFrame, features: list[str], base_source: str | None
) -> np.ndarray:
    matrix = xgb.DMatrix(
        feature_matrix(frame, features), base_margin=base_margin(frame, base_source)
    )
    return booster.predict(matrix)


def stored_model(row: pd.Series) -> tuple[xgb.Booster, list[str], str | None]:
    """A registry row's booster, features and base source (what predict needs)."""
    params = json.loads(row["params_json"])
    return (
        registry.load_booster(row["model_json"]),
        json.loads(row["feature_names_json"]),
        params.get("base_source"),
    )


def train_and_register(
    features: pd.DataFrame,
    existing: pd.DataFrame | None,
    margin: float,
    k: int = 10,
    holdout_share: float = HOLDOUT_SHARE,
    min_holdout_users: int = 0,
) -> pd.DataFrame:
    """The registry rows a training run appends (registry.register): one new version, or
    none when the same code, parameters and data were already registered, or when there is
    nothing to learn from (no training user with a positive label). Promotion compares
    per-user NDCG@k of the challenger and the champion (re-scored now) on the held-out users:
    promoted only when the paired bootstrap interval of the difference lies above `margin`
    and at least `min_holdout_users` users are held out."""
    rows = features[features["cutoff_name"].str.startswith(TRAINING_CUTOFF_PREFIX)].copy()
    rows["label"] = pd.to_numeric(rows["label"], errors="coerce").fillna(0)
    rows = rows.sort_values([*QUERY_KEYS, "product_id"], kind="stable").reset_index(drop=True)
    positive = rows.groupby(QUERY_KEYS, sort=False)["label"].transform("max") > 0
    rows = rows[positive]
    holdout_mask = rows["user_id"].map(lambda user: is_holdout_user(user, holdout_share))
    train, holdout = rows[~holdout_mask], rows[holdout_mask]
    if train.empty or holdout.empty:
        return registry.empty_registry()
    features = feature_names(rows)

    def fitted() -> registry.Trained:
        params, rounds, base_source, validation_ndcg = tune(train, features, holdout_share)
        booster = fit(train, features, params, rounds, base_source)
        per_user = ndcg_per_user(holdout, predict(booster, holdout, features, base_source), k)
        holdout_users = int(holdout["user_id"].nunique())
        return registry.Trained(
            model=per_user,  # all compare needs of the challenger: its NDCG per holdout query
            model_json=registry.serialize_booster(booster),
            params={**params, "rounds": rounds, "base_source": base_source},
            features=features,
            training_rows=len(train),
            holdout_metric_name=f"ndcg@{k} on held-out training users",
            holdout_metric=float(per_user.mean()),
            holdout_units=holdout_users,
            metrics={
                "train_users": int(train["user_id"].nunique()),
                "train_queries": int(train[QUERY_KEYS].drop_duplicates().shape[0]),
                "holdout_users": holdout_users,
                "validation_ndcg": validation_ndcg,
                "max_depth": params["max_depth"],
                "min_child_weight": params["min_child_weight"],
                "base_source": base_source,
                "rounds": rounds,
            },
        )

    def compare(trained: registry.Trained, champion: pd.Series) -> registry.Comparison:
        per_user = trained.model
        champion_booster, champion_features, champion_base = stored_model(champion)
        champion_per_user = ndcg_per_user(
            holdout, predict(champion_booster, holdout, champion_features, champion_base), k
        ).reindex(per_user.index)
        # a user's queries at several training cutoffs are not independent: resample users
        users = per_user.index.get_level_values("user_id")
        return registry.paired_bootstrap_means(per_user, champion_per_user, units=users)

    hashed = (
        {
            **PARAMS,
            "depths": DEPTHS,
            "min_child_weights": MIN_CHILD_WEIGHTS,
            "features": features,
            "holdout_share": holdout_share,
        },
        rows,
    )
    return registry.register(
        sys.modules[__name__], hashed, existing, fitted, compare, margin, min_holdout_users
    )


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
        booster, features, base_source = stored_model(champion)
    for batch in batches:
        rows = batch[batch["cutoff_name"].isin(SCORED_CUTOFFS)]
        if champion is None:
            ranks = pd.to_numeric(rows["best_source_rank"]).clip(lower=1).to_numpy(dtype=float)
            values, version = 1.0 / ranks, NO_MODEL_VERSION
        else:
            margins = predict(booster, rows, features, base_source)
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
