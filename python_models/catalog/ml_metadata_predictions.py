"""Predicted catalog category and brand, with confidence, by the champion of metadata
inference from the registry ml_metadata_train (or the version var metadata_pinned_version
pins): for every offer, every product missing a value and the held-out products
(catalog_ml.metadata.score_batches). The listings stream through in batches (a prediction
depends on its listing alone), every batch logging its progress."""

from catalog_ml.metadata import OUTPUT_SCHEMA, score_batches
from catalog_ml.portable import frames_to_reader, to_output, to_pandas, to_pandas_batches
from catalog_ml.registry import pinned_version


def model(dbt, session):
    dbt.config(materialized="table")
    registry_rows = to_pandas(dbt.ref("ml_metadata_train"))
    pinned = pinned_version(dbt.config.meta_get("pinned_version"))
    listings = dbt.ref("int_catalog_metadata_listings")
    batches = to_pandas_batches(listings, progress="ml_metadata_predictions")
    predictions = score_batches(batches, registry_rows, pinned)
    return to_output(frames_to_reader(predictions, OUTPUT_SCHEMA), session)
