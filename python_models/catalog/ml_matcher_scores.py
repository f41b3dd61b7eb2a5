"""Scores every candidate and labelled pair with the champion matcher from the registry
(or the version var matcher_pinned_version pins): calibrated match probability. The pairs
stream through in batches (a pair's score depends on that pair alone), so memory is set by
a batch, not by the table; every batch logs its progress."""

import pyarrow as pa

from catalog_ml.matching import score
from catalog_ml.scoring import score_with_registry

# The output's types (here, not in catalog_ml.matching: that module's source is part of the
# matcher's version hash, and scoring code is not training code).
SCORE_SCHEMA = pa.schema(
    [
        ("offer_id", pa.string()),
        ("product_id", pa.string()),
        ("match_score", pa.float64()),
        ("model_version", pa.string()),
        ("match_threshold", pa.float64()),
    ]
)


def model(dbt, session):
    dbt.config(materialized="table")
    return score_with_registry(
        session,
        registry=dbt.ref("ml_matcher_train"),
        pinned=dbt.config.meta_get("pinned_version"),
        rows=dbt.ref("int_catalog_scoring_pairs"),
        progress="ml_matcher_scores",
        score_batches=lambda pairs, registry_rows, pinned: (
            score(batch, registry_rows, pinned) for batch in pairs
        ),
        schema=SCORE_SCHEMA,
    )
