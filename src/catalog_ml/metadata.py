"""Metadata inference: predict a listing's catalog category and brand from its title, as a
registered model (registry.register, like the matcher and the ranker).

One text classifier per attribute (word 1-2 gram TF-IDF, logistic loss SGD) learns from
catalog products whose value is known, except a fixed fifth of them (crc32 of product_id),
the holdout: its accuracy there is the version's holdout metric, and a challenger is
promoted when it beats the champion re-scored on the same holdout products by more than
the noise. Scoring with the champion predicts, with a confidence (the top class
probability), every product missing a value, every offer, and the held-out products (whose
known values make an honest evaluation: no version trains on them). Whether a value is
filled (confidence bar) is decided in SQL.
"""

from __future__ import annotations

import base64
import json
import sys
import zlib
from collections.abc import Iterable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.pipeline import Pipeline, make_pipeline

from catalog_ml import registry

MODEL_NAME = "metadata"
ATTRIBUTES = ["category", "brand"]
# The one input the classifiers read (its numeric summaries title__* are what the monitors
# compare: int_catalog_metadata_training_rows).
FEATURES = ["title"]
TRAINING_COLUMNS = ["listing_id", "title", *ATTRIBUTES]
OUTPUT_COLUMNS = [
    "listing_type",
    "listing_id",
    "attribute",
    "actual_value",
    "predicted_value",
    "confidence",
    "is_out_of_fold",
    "model_version",
]
# Explicit types, so an empty output (no champion yet) still creates typed columns.
OUTPUT_DTYPES = {
    **dict.fromkeys(OUTPUT_COLUMNS, "string"),
    "confidence": "float64",
    "is_out_of_fold": "bool",
}
# The same types as Arrow, for the output stream (portable.frames_to_reader).
OUTPUT_SCHEMA = pa.schema(
    [
        (c, {"string": pa.string(), "float64": pa.float64(), "bool": pa.bool_()}[t])
        for c, t in OUTPUT_DTYPES.items()
    ]
)
SEED = 42
MIN_KNOWN = 20
HOLDOUT_MODULUS = 5
VECTORIZER = {"ngram_range": (1, 2), "sublinear_tf": True}
SGD = {"loss": "log_loss", "alpha": 1e-5, "max_iter": 30, "tol": 1e-3, "random_state": SEED}


def classifier() -> Pipeline:
    return make_pipeline(TfidfVectorizer(**VECTORIZER), SGDClassifier(**SGD))


def is_holdout_product(product_id: object) -> bool:
    """The fixed fifth of products no version trains on (crc32 of the id)."""
    return zlib.crc32(str(product_id).encode()) % HOLDOUT_MODULUS == 0


def held_out(listings: pd.DataFrame) -> np.ndarray:
    """is_holdout_product of every row, as a boolean mask (also for no rows: an empty
    object Series would select columns, not rows)."""
    return np.fromiter(map(is_holdout_product, listings["listing_id"]), bool, len(listings))


def _array_text(values: np.ndarray) -> str:
    """A float array as base64 of its float64 bytes: exact, and half the size of decimals."""
    return base64.b64encode(np.ascontiguousarray(values, dtype="<f8").tobytes()).decode()


def _text_array(text: str, shape: tuple[int, ...]) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<f8").reshape(shape)


def to_json(models: dict[str, Pipeline]) -> str:
    """Each attribute's classifier as JSON text: the vocabulary (terms in column order), idf
    weights, classes and the SGD coefficients (what predict_proba uses)."""
    stored = {}
    for attribute, model in models.items():
        vectorizer, sgd = model.steps[0][1], model.steps[1][1]
        terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
        stored[attribute] = {
            "terms": terms,
            "idf": _array_text(vectorizer.idf_),
            "classes": sgd.classes_.tolist(),
            "coef": _array_text(sgd.coef_),
            "intercept": _array_text(sgd.intercept_),
        }
    return json.dumps(stored, sort_keys=True)


def from_json(text: str) -> dict[str, Pipeline]:
    """The classifiers to_json stored, ready to predict."""
    models = {}
    for attribute, stored in json.loads(text).items():
        model = classifier()
        vectorizer, sgd = model.steps[0][1], model.steps[1][1]
        terms = stored["terms"]
        vectorizer.vocabulary_ = {term: i for i, term in enumerate(terms)}
        vectorizer.idf_ = _text_array(stored["idf"], (len(terms),))
        sgd.classes_ = np.asarray(stored["classes"], dtype=object)
        intercept = _text_array(stored["intercept"], (-1,))
        sgd.coef_ = _text_array(stored["coef"], (len(intercept), len(terms)))
        sgd.intercept_ = intercept
        sgd.n_features_in_ = len(terms)
        models[attribute] = model
    return models


def _predict(model: Pipeline, titles: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    probabilities = model.predict_proba(titles.fillna(""))
    best = probabilities.argmax(axis=1)
    return model.classes_[best], probabilities[np.arange(len(best)), best]


def fit(products: pd.DataFrame) -> dict[str, Pipeline]:
    """One classifier per attribute with at least MIN_KNOWN known values of two classes or
    more among the products outside the holdout (`products` in key order)."""
    train = products[~held_out(products)]
    models = {}
    for attribute in ATTRIBUTES:
        known = train[train[attribute].notna()]
        if len(known) >= MIN_KNOWN and known[attribute].nunique() >= 2:
            models[attribute] = classifier().fit(known["title"].fillna(""), known[attribute])
    return models


def holdout_correct(models: dict[str, Pipeline], holdout: pd.DataFrame) -> pd.Series:
    """1.0 / 0.0 per (product_id, attribute) of the holdout's known values: is the
    prediction right (an attribute without a classifier counts as wrong)."""
    parts = []
    for attribute in ATTRIBUTES:
        known = holdout[holdout[attribute].notna()]
        correct = np.zeros(len(known))
        if attribute in models and len(known):
            correct = (_predict(models[attribute], known["title"])[0] == known[attribute]) * 1.0
        index = pd.MultiIndex.from_arrays(
            [known["listing_id"].astype(str), [attribute] * len(known)],
            names=["listing_id", "attribute"],
        )
        parts.append(pd.Series(np.asarray(correct, dtype="float64"), index=index))
    return pd.concat(parts).sort_index()


def train_and_register(
    products: pd.DataFrame,
    existing: pd.DataFrame | None,
    margin: float,
    min_holdout_products: int = 0,
) -> pd.DataFrame:
    """The registry row of a new version (registry.register: none when the same code,
    parameters and products were registered, or when no attribute has enough known values).
    Promotion compares accuracy on the held-out products' known values, the champion
    re-scored now: the challenger wins when the paired bootstrap interval (over products) of
    the difference lies above `margin`, with at least `min_holdout_products` products."""
    rows = products[TRAINING_COLUMNS].sort_values("listing_id", kind="stable")
    holdout = rows[held_out(rows)]
    holdout = holdout[holdout[ATTRIBUTES].notna().any(axis=1)]

    def fitted() -> registry.Trained | None:
        models = fit(rows)
        if not models or holdout.empty:
            return None
        correct = holdout_correct(models, holdout)
        accuracy = correct.groupby(level="attribute").mean()
        return registry.Trained(
            model=correct,  # all compare needs of the challenger
            model_json=to_json(models),
            params={"vectorizer": VECTORIZER, "sgd": SGD, "attributes": sorted(models)},
            features=FEATURES,
            training_rows=int(len(rows) - held_out(rows).sum()),
            holdout_metric_name="accuracy on held-out products' known values",
            holdout_metric=float(correct.mean()),
            holdout_units=int(holdout["listing_id"].nunique()),
            metrics={
                **{f"holdout_accuracy_{name}": float(value) for name, value in accuracy.items()},
                "holdout_values": len(correct),
            },
        )

    def compare(trained: registry.Trained, champion: pd.Series) -> registry.Comparison:
        challenger = trained.model
        rescored = holdout_correct(from_json(champion["model_json"]), holdout)
        units = challenger.index.get_level_values("listing_id")
        return registry.paired_bootstrap_means(challenger, rescored, units=units)

    hashed = ({"vectorizer": VECTORIZER, "sgd": SGD, "min_known": MIN_KNOWN}, rows)
    return registry.register(
        sys.modules[__name__], hashed, existing, fitted, compare, margin, min_holdout_products
    )


def _frame(
    kind: str, frame: pd.DataFrame, attribute: str, model: Pipeline, version: str
) -> pd.DataFrame:
    predicted, confidence = _predict(model, frame["title"])
    return pd.DataFrame(
        {
            "listing_type": kind,
            "listing_id": frame["listing_id"].to_numpy(dtype=object),
            "attribute": attribute,
            "actual_value": frame[attribute].to_numpy(dtype=object),
            "predicted_value": np.asarray(predicted, dtype=object),
            "confidence": np.asarray(confidence, dtype="float64"),
            "is_out_of_fold": (kind == "product") & frame[attribute].notna().to_numpy(),
            "model_version": version,
        }
    )


def score_batches(
    batches: Iterable[pd.DataFrame], registry_rows: pd.DataFrame, pinned_version: str | None
) -> Iterator[pd.DataFrame]:
    """Predictions of the champion (or the pinned version) for every listing of every batch
    (listing_type, listing_id, title and the attributes) that needs one: offers, products
    missing the value and held-out products (is_out_of_fold: their known value scores the
    model honestly). Nothing without a registered version."""
    champion = registry.current_champion(registry_rows, MODEL_NAME, pinned_version)
    if champion is None:
        return
    models = from_json(champion["model_json"])
    version = str(champion["model_version"])
    for batch in batches:
        holdout = held_out(batch)
        is_product = batch["listing_type"] == "product"
        for attribute, model in models.items():
            needed = batch[~is_product | batch[attribute].isna() | holdout]
            for kind, rows in needed.groupby("listing_type", sort=True):
                yield _frame(str(kind), rows, attribute, model, version)


def score(
    listings: pd.DataFrame, registry_rows: pd.DataFrame, pinned_version: str | None
) -> pd.DataFrame:
    """score_batches on one frame, as one typed frame (empty without a champion)."""
    parts = list(score_batches([listings], registry_rows, pinned_version))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=OUTPUT_DTYPES[c]) for c in OUTPUT_COLUMNS})
    return pd.concat(parts, ignore_index=True)[OUTPUT_COLUMNS]
