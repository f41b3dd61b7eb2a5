"""Metadata inference: predict a listing's catalog category and brand from its title.

One text classifier per attribute (word 1-2 gram TF-IDF, logistic loss SGD) learns from
catalog products whose value is known. It predicts, with a confidence (the top class
probability), every product missing the value and every offer; known products get
out-of-fold predictions, so the accuracy reported for them is honest. Whether a value is
filled (confidence bar) is decided in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline, make_pipeline

ATTRIBUTES = ["category", "brand"]
OUTPUT_COLUMNS = [
    "listing_type",
    "listing_id",
    "attribute",
    "actual_value",
    "predicted_value",
    "confidence",
    "is_out_of_fold",
]
# Explicit types, so an empty output (too few known values) still creates typed columns.
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
FOLDS = 3
SEED = 42
MIN_KNOWN = 20


def classifier() -> Pipeline:
    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        SGDClassifier(loss="log_loss", alpha=1e-5, max_iter=30, tol=1e-3, random_state=SEED),
    )


def _predict(model: Pipeline, titles: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    probabilities = model.predict_proba(titles.fillna(""))
    best = probabilities.argmax(axis=1)
    return model.classes_[best], probabilities[np.arange(len(best)), best]


def _frame(
    kind: str, ids, attribute: str, actual, predicted, confidence, out_of_fold: bool
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "listing_type": kind,
            "listing_id": np.asarray(ids, dtype=object),
            "attribute": attribute,
            "actual_value": np.asarray(actual, dtype=object),
            "predicted_value": np.asarray(predicted, dtype=object),
            "confidence": np.asarray(confidence, dtype="float64"),
            "is_out_of_fold": out_of_fold,
        }
    )


def infer(products: pd.DataFrame, offers: pd.DataFrame) -> pd.DataFrame:
    """Predictions for every (listing, attribute); see the module docstring."""
    parts = list(infer_batches(products, [offers]))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=OUTPUT_DTYPES[c]) for c in OUTPUT_COLUMNS})
    return pd.concat(parts, ignore_index=True)[OUTPUT_COLUMNS]


def infer_batches(
    products: pd.DataFrame, offer_batches: Iterable[pd.DataFrame]
) -> Iterator[pd.DataFrame]:
    """infer's rows as frames: the products' first, then every batch of offers' (an offer's
    prediction depends on that offer alone, so the offers can stream through in batches)."""
    models = {}
    for attribute in ATTRIBUTES:
        known = (
            products[products[attribute].notna()].sort_values("product_id").reset_index(drop=True)
        )
        unknown = products[products[attribute].isna()]
        if len(known) < MIN_KNOWN or known[attribute].nunique() < 2:
            continue
        out_of_fold = np.empty(len(known), dtype=object)
        out_of_fold_confidence = np.zeros(len(known))
        for fit_rows, held_rows in KFold(FOLDS, shuffle=True, random_state=SEED).split(known):
            model = classifier().fit(
                known["title"].iloc[fit_rows].fillna(""), known[attribute].iloc[fit_rows]
            )
            predicted, confidence = _predict(model, known["title"].iloc[held_rows])
            out_of_fold[held_rows], out_of_fold_confidence[held_rows] = predicted, confidence
        yield _frame(
            "product",
            known["product_id"],
            attribute,
            known[attribute],
            out_of_fold,
            out_of_fold_confidence,
            True,
        )
        models[attribute] = classifier().fit(known["title"].fillna(""), known[attribute])
        yield from _predicted("product", unknown, "product_id", attribute, models[attribute])
    for offers in offer_batches:
        for attribute, model in models.items():
            yield from _predicted("offer", offers, "offer_id", attribute, model)


def _predicted(
    kind: str, frame: pd.DataFrame, id_column: str, attribute: str, model: Pipeline
) -> Iterator[pd.DataFrame]:
    if len(frame):
        predicted, confidence = _predict(model, frame["title"])
        yield _frame(
            kind, frame[id_column], attribute, frame[attribute], predicted, confidence, False
        )
