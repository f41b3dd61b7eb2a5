"""What the review page shows, read from the DuckDB file of the last build.

The queue is the mart fct_match_review_queue in its own order (queue_rank: expected value of
a label, then offer id). One item shows the offer and its top candidate products side by
side (stg_offers, stg_products), each candidate's match score (ml_matcher_scores), pair
features as the matcher saw them (int_catalog_scoring_pairs) and what each feature added to
the score: XGBoost's exact per-feature contributions (SHAP values of the tree ensemble, in
log-odds of the raw score) of the version that scored the pair (ml_matcher_train).

Each read opens the file read-only and closes it at once (catalog_ml.warehouse.connect):
DuckDB allows no reader beside a writer, so the page never holds the file a build needs.
While a build writes it, reads raise WarehouseBusy.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import xgboost as xgb

from catalog_ml.matching import Matcher
from catalog_ml.warehouse import connect

QUEUE_COLUMNS = [
    "queue_rank",
    "offer_id",
    "merchant_id",
    "offer_title",
    "offer_price",
    "offer_currency",
    "match_score",
    "uncertainty",
    "proposed_product_impressions",
    "expected_label_value",
    "candidate_1_product_id",
    "candidate_1_title",
    "candidate_1_score",
]
LISTING_COLUMNS = [
    "title",
    "brand",
    "category",
    "price",
    "currency",
    "gtin",
    "model_number",
    "description",
]
CANDIDATES_SHOWN = 3


class WarehouseBusy(RuntimeError):
    """The DuckDB file cannot be read now (a build is writing it, or it does not exist)."""


class UnknownId(LookupError):
    """An offer or product id that the last build does not have."""


@contextmanager
def reading(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    if not Path(path).is_file():
        raise WarehouseBusy(f"no warehouse file {path}: run the build (make demo) first")
    try:
        con = connect(path, read_only=True)
    except (duckdb.IOException, duckdb.ConnectionException) as error:
        raise WarehouseBusy(
            f"{path} cannot be opened ({str(error).splitlines()[0]}); a build is probably"
            " writing it: retry when it ends"
        ) from None
    try:
        yield con
    finally:
        con.close()


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    frame = con.execute(sql, params or []).df()
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def load_queue(path: Path, limit: int = 200) -> list[dict]:
    """The first `limit` offers of the review queue, in queue order."""
    with reading(path) as con:
        return _records(
            con,
            f"select {', '.join(QUEUE_COLUMNS)} from fct_match_review_queue"
            " order by queue_rank limit ?",
            [int(limit)],
        )


def queue_size(path: Path) -> int:
    with reading(path) as con:
        return int(con.execute("select count(*) from fct_match_review_queue").fetchone()[0])


def _listing(con: duckdb.DuckDBPyConnection, table: str, key: str, value: str) -> dict:
    rows = _records(
        con, f"select {key}, {', '.join(LISTING_COLUMNS)} from {table} where {key} = ?", [value]
    )
    if not rows:
        raise UnknownId(f"{table}: no row with {key} {value!r} in the last build")
    return rows[0]


def product_exists(path: Path, product_id: str) -> bool:
    with reading(path) as con:
        found = con.execute("select 1 from stg_products where product_id = ?", [product_id])
        return found.fetchone() is not None


_MATCHERS: dict[str, Matcher] = {}


def _matcher(con: duckdb.DuckDBPyConnection, model_version: str) -> Matcher:
    """The registered matcher of that version (a version is a hash of code, parameters and
    data, so a cached one never goes stale)."""
    if model_version not in _MATCHERS:
        row = con.execute(
            "select model_json from ml_matcher_train where model_version = ?", [model_version]
        ).fetchone()
        if row is None:
            raise UnknownId(f"ml_matcher_train: no matcher version {model_version!r}")
        if len(_MATCHERS) >= 4:
            _MATCHERS.clear()
        _MATCHERS[model_version] = Matcher.from_json(row[0])
    return _MATCHERS[model_version]


def contributions(matcher: Matcher, pairs: pd.DataFrame) -> pd.DataFrame:
    """Per pair (row) and feature, what the feature added to the matcher's raw log-odds
    (XGBoost pred_contribs: exact tree SHAP values; a row sums, with the bias, to the margin)."""
    matrix = pairs.reindex(columns=matcher.features).astype("float32")
    values = matcher.booster.predict(
        xgb.DMatrix(matrix, feature_names=matcher.features), pred_contribs=True
    )
    return pd.DataFrame(np.asarray(values)[:, :-1], columns=matcher.features, index=pairs.index)


def _features(con: duckdb.DuckDBPyConnection, offer_id: str, candidates: list[dict]) -> None:
    """Adds `features` (name, value, contribution; largest effect first) to each candidate."""
    if not candidates:
        return
    ids = [c["product_id"] for c in candidates]
    pairs = con.execute(
        "select * from int_catalog_scoring_pairs where offer_id = ? and product_id in"
        f" ({', '.join('?' for _ in ids)})",
        [offer_id, *ids],
    ).df()
    pairs = pairs.drop_duplicates("product_id").set_index("product_id")
    version = candidates[0]["model_version"]
    matcher = _matcher(con, version) if version else None
    effect = contributions(matcher, pairs) if matcher is not None and len(pairs) else None
    for candidate in candidates:
        pid = candidate["product_id"]
        if pid not in pairs.index:
            candidate["features"] = []
            continue
        names = matcher.features if matcher else [c for c in pairs.columns if c != "offer_id"]
        rows = [
            {
                "name": name,
                "value": _number(pairs.at[pid, name]),
                "contribution": None if effect is None else round(float(effect.at[pid, name]), 4),
            }
            for name in names
        ]
        candidate["features"] = sorted(rows, key=lambda r: -abs(r["contribution"] or 0.0))


def _number(value: object) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(number) else round(number, 4)


def load_item(path: Path, offer_id: str, shown: int = CANDIDATES_SHOWN) -> dict:
    """The offer, its place in the queue (None when not queued), the build's decision, the
    split of its existing labels and its top `shown` candidates with features."""
    with reading(path) as con:
        offer = _listing(con, "stg_offers", "offer_id", offer_id)
        queued = _records(
            con, "select * from fct_match_review_queue where offer_id = ?", [offer_id]
        )
        decision = _records(
            con,
            "select product_id, decision, decision_source, match_score from fct_offer_matches"
            " where offer_id = ?",
            [offer_id],
        )
        splits = con.execute(
            "select distinct split from stg_match_labels where offer_id = ? order by split",
            [offer_id],
        ).fetchall()
        candidates = _records(
            con,
            "select scores.product_id, scores.match_score, scores.model_version,"
            " scores.match_threshold"
            " from ml_matcher_scores as scores inner join int_catalog_candidates as candidates"
            " on scores.offer_id = candidates.offer_id"
            " and scores.product_id = candidates.product_id"
            " where scores.offer_id = ? order by scores.match_score desc, scores.product_id"
            " limit ?",
            [offer_id, int(shown)],
        )
        for candidate in candidates:
            candidate["listing"] = _listing(
                con, "stg_products", "product_id", candidate["product_id"]
            )
        _features(con, offer_id, candidates)
    return {
        "offer": offer,
        "queue": queued[0] if queued else None,
        "decision": decision[0] if decision else None,
        "label_split": splits[0][0] if len(splits) == 1 else "train",
        "candidates": candidates,
    }
