"""Predicted catalog category and brand, with confidence, by the champion of metadata
inference from the registry ml_metadata_train (or the version var metadata_pinned_version
pins): for every offer, every product missing a value and the held-out products
(catalog_ml.metadata.score_batches). The listings stream through in batches (a prediction
depends on its listing alone), every batch logging its progress."""

from catalog_ml.metadata import OUTPUT_SCHEMA, score_batches
from catalog_ml.scoring import score_with_registry


def model(dbt, session):
    dbt.config(materialized="table")
    return score_with_registry(
        session,
        registry=dbt.ref("ml_metadata_train"),
        pinned=dbt.config.meta_get("pinned_version"),
        rows=dbt.ref("int_catalog_metadata_listings"),
        progress="ml_metadata_predictions",
        score_batches=score_batches,
        schema=OUTPUT_SCHEMA,
    )
