"""The offer-to-product matcher: XGBoost on pair features, Platt calibration, a decision
threshold, and registry versions with champion/challenger promotion.

Splits: the model fits on `train`, with the number of boosting rounds cross-validated on
`train` (folds grouped by offer). Calibration and the threshold are fitted on the
out-of-fold train scores together with the model's `valid` scores, so they rest on all the
labels, while `valid`, never trained or stopped on, stays the holdout promotion compares on.
`test` never reaches this module (evaluation reads scored test pairs in SQL).

Calibration is Platt scaling (a logistic regression on the raw score's log-odds): strictly
increasing, so the calibrated score orders pairs exactly as the raw one (no plateaus of
tied scores, as isotonic regression gives on a few hundred labels).
"""

from __future__ import annotations

import json
import sys
import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import StratifiedGroupKFold

from catalog_ml import registry

MODEL_NAME = "matcher"
FEATURES = [
    "has_gtin_key",
    "has_code_key",
    "code_idf",
    "rare_token_idf",
    "title_jaro_winkler",
    "title_edit_similarity",
    "title_token_jaccard",
    "title_tfidf_cosine",
    "title_trigram_jaccard",
    "title_first_token_match",
    "text_tfidf_cosine",
    "title_code_match",
    "any_code_match",
    "code_contained",
    "code_similarity",
    "number_jaccard",
    "number_conflict",
    "model_number_match",
    "model_number_similarity",
    "brand_match",
    "brand_in_offer_title",
    "price_ratio",
    "currency_match",
    "category_match",
    "gtin_match",
    "offer_has_gtin",
]
PARAMS = {
    "objective": "binary:logistic",
    "eval_metric": "aucpr",
    "eta": 0.1,
    "max_depth": 5,
    "min_child_weight": 2,
    "subsample": 0.9,
    "colsample_bytree": 0.9,
    "seed": 42,
    "nthread": 2,
}
MAX_ROUNDS = 400
EARLY_STOPPING_ROUNDS = 30
CV_FOLDS = 5
MIN_ROWS_PER_SPLIT = 10
SCORE_COLUMNS = ["offer_id", "product_id", "match_score", "model_version", "match_threshold"]


@dataclass(frozen=True)
class Matcher:
    """A trained matcher: booster, Platt calibration (slope, intercept) and threshold."""

    booster: xgb.Booster
    platt_slope: float
    platt_intercept: float
    threshold: float
    features: list[str]

    def raw_scores(self, pairs: pd.DataFrame) -> np.ndarray:
        matrix = pairs.reindex(columns=self.features).astype("float32")
        return self.booster.predict(xgb.DMatrix(matrix, feature_names=self.features))

    def predict(self, pairs: pd.DataFrame) -> np.ndarray:
        """Calibrated match probability: sigmoid(slope * logit(raw) + intercept)."""
        return platt(self.raw_scores(pairs), self.platt_slope, self.platt_intercept)

    def to_json(self) -> str:
        return json.dumps(
            {
                "booster": registry.serialize_booster(self.booster),
                "platt_slope": self.platt_slope,
                "platt_intercept": self.platt_intercept,
                "threshold": self.threshold,
                "features": self.features,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Matcher:
        data = json.loads(text)
        return cls(
            booster=registry.load_booster(data["booster"]),
            platt_slope=float(data["platt_slope"]),
            platt_intercept=float(data["platt_intercept"]),
            threshold=float(data["threshold"]),
            features=list(data["features"]),
        )


def _logit(raw: np.ndarray) -> np.ndarray:
    clipped = np.clip(np.asarray(raw, dtype="float64"), 1e-7, 1 - 1e-7)
    return np.log(clipped / (1 - clipped))


def platt(raw: np.ndarray, slope: float, intercept: float) -> np.ndarray:
    """Platt-scaled probability of raw scores in (0, 1)."""
    return 1.0 / (1.0 + np.exp(-(slope * _logit(raw) + intercept)))


def fit_platt(raw: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Slope and intercept of a logistic regression of labels on logit(raw); the slope is kept
    positive (a model worse than chance on valid must not invert the order of its scores)."""
    model = LogisticRegression(C=1e4, max_iter=1000).fit(_logit(raw).reshape(-1, 1), labels)
    slope, intercept = float(model.coef_[0, 0]), float(model.intercept_[0])
    return (slope, intercept) if slope > 0 else (1.0, 0.0)


def best_f1_threshold(labels: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    """The score threshold (predict match when score >= it) with the highest F1, and that F1."""
    order = np.argsort(-scores, kind="stable")
    sorted_scores, sorted_labels = scores[order], labels[order]
    true_positives = np.cumsum(sorted_labels)
    predicted = np.arange(1, len(scores) + 1)
    f1 = 2 * true_positives / (predicted + sorted_labels.sum())
    # only cut where the score changes, so ties fall on the same side
    last_of_tie = np.r_[sorted_scores[1:] != sorted_scores[:-1], True]
    best = int(np.argmax(np.where(last_of_tie, f1, -1.0)))
    return float(sorted_scores[best]), float(f1[best])


def _split(training: pd.DataFrame, name: str) -> pd.DataFrame:
    return training[training["split"] == name].sort_values(
        ["offer_id", "product_id"], kind="stable"
    )


def _usable(split: pd.DataFrame) -> bool:
    return len(split) >= MIN_ROWS_PER_SPLIT and split["is_match"].nunique() == 2


def splits(training: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The train and valid rows. Labels often come without splits (empty = train): when the
    `valid` split is missing or unusable (too few rows or one class), a fixed fifth of the
    train offers (crc32 of offer_id) is held out as `valid`, so such labels still train."""
    train, valid = _split(training, "train"), _split(training, "valid")
    if _usable(valid):
        return train, valid
    held = train["offer_id"].map(lambda offer: zlib.crc32(str(offer).encode()) % 5 == 0)
    return train[~held], train[held]


def _booster(params: dict, x: pd.DataFrame, y: np.ndarray, rounds: int, stop_on=None):
    dtrain = xgb.DMatrix(x, label=y, feature_names=FEATURES)
    evals = (
        []
        if stop_on is None
        else [(xgb.DMatrix(stop_on[0], label=stop_on[1], feature_names=FEATURES), "held_out")]
    )
    return xgb.train(
        params,
        dtrain,
        rounds,
        evals=evals,
        early_stopping_rounds=None if stop_on is None else EARLY_STOPPING_ROUNDS,
        verbose_eval=False,
    )


def cross_validate(train: pd.DataFrame) -> tuple[np.ndarray, int] | None:
    """Out-of-fold raw scores of every train row and the number of boosting rounds, from
    CV_FOLDS folds grouped by offer (an offer's pairs are never split across folds) and
    stratified by label: each fold's model stops early on its own held-out fold; the
    rounds are the mean of those stopping points. None when a class has too few offers."""
    y = train["is_match"].astype(int).to_numpy()
    folds = min(CV_FOLDS, int(np.bincount(y, minlength=2).min()))
    if folds < 2:
        return None
    x = train.reindex(columns=FEATURES).astype("float32")
    splitter = StratifiedGroupKFold(n_splits=folds)
    out_of_fold, rounds = np.empty(len(train)), []
    for fit_rows, held_rows in splitter.split(x, y, groups=train["offer_id"].to_numpy()):
        held = (x.iloc[held_rows], y[held_rows])
        booster = _booster(PARAMS, x.iloc[fit_rows], y[fit_rows], MAX_ROUNDS, stop_on=held)
        best = booster.best_iteration + 1
        out_of_fold[held_rows] = booster.predict(
            xgb.DMatrix(held[0], feature_names=FEATURES), iteration_range=(0, best)
        )
        rounds.append(best)
    return out_of_fold, round(float(np.mean(rounds)))


def fit(training: pd.DataFrame) -> tuple[Matcher, dict[str, float]] | None:
    """Fit on `train` with the rounds cross-validation on `train` chooses; calibrate and
    threshold on out-of-fold train scores together with the model's `valid` scores (four
    times the labels `valid` alone has). `valid` is never trained or stopped on, so its
    average precision is an honest holdout metric for promotion. None when either split is
    too small or has one class (the build then scores nothing and says so)."""
    if (training["split"] == "test").any():
        raise ValueError("matcher training data must not contain test labels")
    train, valid = splits(training)
    if not (_usable(train) and _usable(valid)):
        return None
    validated = cross_validate(train)
    if validated is None:
        return None
    out_of_fold, rounds = validated
    x_train, x_valid = (s.reindex(columns=FEATURES).astype("float32") for s in (train, valid))
    y_train, y_valid = (s["is_match"].astype(int).to_numpy() for s in (train, valid))
    booster = _booster(PARAMS, x_train, y_train, rounds)
    raw_valid = booster.predict(xgb.DMatrix(x_valid, feature_names=FEATURES))
    raw_all, y_all = np.r_[out_of_fold, raw_valid], np.r_[y_train, y_valid]
    slope, intercept = fit_platt(raw_all, y_all)
    threshold, _ = best_f1_threshold(y_all, platt(raw_all, slope, intercept))
    matcher = Matcher(booster, slope, intercept, threshold, FEATURES)
    calibrated = platt(raw_valid, slope, intercept)
    predicted = calibrated >= threshold
    tp = int((predicted & (y_valid == 1)).sum())
    metrics = {
        "valid_average_precision": float(average_precision_score(y_valid, raw_valid)),
        "valid_f1_at_threshold": 2 * tp / (predicted.sum() + y_valid.sum()),
        "valid_precision_at_threshold": float(y_valid[predicted].mean())
        if predicted.any()
        else 0.0,
        "valid_recall_at_threshold": float(predicted[y_valid == 1].mean()),
        "valid_brier": float(np.mean((calibrated - y_valid) ** 2)),
        "out_of_fold_average_precision": float(average_precision_score(y_train, out_of_fold)),
        "threshold": threshold,
        "best_iteration": rounds,
        "train_rows": len(train),
        "valid_rows": len(valid),
    }
    return matcher, metrics


def average_precision(
    labels: np.ndarray, scores: np.ndarray, weights: np.ndarray | None = None
) -> float:
    """Average precision as sklearn.metrics.average_precision_score computes it (a step sum
    over distinct score thresholds, tied scores cut together), with optional row weights (a
    bootstrap resample's counts); NaN without positive weight. Fast enough to run thousands of
    times in the promotion bootstrap."""
    y = np.asarray(labels, dtype="float64")
    s = np.asarray(scores, dtype="float64")
    w = np.ones_like(y) if weights is None else np.asarray(weights, dtype="float64")
    order = np.argsort(-s, kind="stable")
    s, y, w = s[order], y[order], w[order]
    last_of_tie = np.r_[s[1:] != s[:-1], True]
    true_positives = np.cumsum(w * y)[last_of_tie]
    predicted = np.cumsum(w)[last_of_tie]
    if len(true_positives) == 0 or true_positives[-1] <= 0:
        return float("nan")
    precision = np.divide(
        true_positives, predicted, out=np.zeros_like(predicted), where=predicted > 0
    )
    recall = true_positives / true_positives[-1]
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def compare_on_valid(
    valid: pd.DataFrame, challenger: Matcher, champion: Matcher
) -> registry.Comparison:
    """Average precision of challenger and champion on the same `valid` rows, and the paired
    bootstrap interval of the difference over offers (an offer's candidate pairs share the
    offer's listing, so they are not independent; offers are)."""
    labels = valid["is_match"].astype(int).to_numpy()
    offer_of_row, offers = pd.factorize(valid["offer_id"], sort=True)
    scores = (challenger.raw_scores(valid), champion.raw_scores(valid))

    def metrics(offer_weights: np.ndarray) -> tuple[float, float]:
        row_weights = offer_weights[offer_of_row]
        return (
            average_precision(labels, scores[0], row_weights),
            average_precision(labels, scores[1], row_weights),
        )

    return registry.paired_bootstrap(metrics, len(offers))


def train_and_register(
    training: pd.DataFrame,
    existing: pd.DataFrame | None,
    margin: float,
    min_holdout_offers: int = 0,
) -> pd.DataFrame:
    """The registry row of a new matcher version (registry.register: empty when nothing new,
    same version as one registered, or too little data). Promotion compares average precision
    on `valid`, the champion re-scored now on the same rows: the challenger is promoted only
    when the paired bootstrap interval (over offers) of the difference lies above `margin`
    and `valid` has at least `min_holdout_offers` offers."""
    training = training[training["split"] != "test"]
    columns = ["offer_id", "product_id", "split", "is_match", *FEATURES]
    valid = splits(training)[1]

    def fitted() -> registry.Trained | None:
        result = fit(training)
        if result is None:
            return None
        matcher, metrics = result
        return registry.Trained(
            model=matcher,
            model_json=matcher.to_json(),
            params={**PARAMS, "max_rounds": MAX_ROUNDS},
            features=FEATURES,
            training_rows=int(metrics["train_rows"]),
            holdout_metric_name="average precision on valid labels",
            holdout_metric=metrics["valid_average_precision"],
            holdout_units=int(valid["offer_id"].nunique()),
            metrics=metrics,
        )

    def compare(trained: registry.Trained, champion: pd.Series) -> registry.Comparison:
        return compare_on_valid(valid, trained.model, Matcher.from_json(champion["model_json"]))

    hashed = ({**PARAMS, "features": FEATURES}, training[columns])
    return registry.register(
        sys.modules[__name__], hashed, existing, fitted, compare, margin, min_holdout_offers
    )


def score(
    pairs: pd.DataFrame, registry_rows: pd.DataFrame, pinned_version: str | None
) -> pd.DataFrame:
    """Calibrated match scores of every pair by the champion (or pinned) matcher; empty with
    the right columns when no matcher is registered yet."""
    champion = registry.current_champion(registry_rows, MODEL_NAME, pinned_version)
    if champion is None:
        numeric = {"match_score", "match_threshold"}
        return pd.DataFrame(
            {c: pd.Series(dtype="float64" if c in numeric else "string") for c in SCORE_COLUMNS}
        )
    matcher = Matcher.from_json(champion["model_json"])
    return pd.DataFrame(
        {
            "offer_id": pairs["offer_id"].to_numpy(),
            "product_id": pairs["product_id"].to_numpy(),
            "match_score": matcher.predict(pairs),
            "model_version": champion["model_version"],
            "match_threshold": matcher.threshold,
        }
    )
