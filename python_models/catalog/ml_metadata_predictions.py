"""Predicted catalog category and brand, with confidence, for every product and offer
(catalog_ml.metadata): out-of-fold for products whose value is known. The classifiers learn
from the catalog; the offers stream through in batches (memory is set by the catalog and a
batch, not by the offers), every batch logging its progress."""

from catalog_ml.metadata import OUTPUT_SCHEMA, infer_batches
from catalog_ml.portable import frames_to_reader, to_output, to_pandas, to_pandas_batches


def model(dbt, session):
    dbt.config(materialized="table")
    # rows in key order: the folds and SGD epochs see them alike on every build
    products = to_pandas(dbt.ref("stg_products"), order_by=["product_id"])
    offers = to_pandas_batches(dbt.ref("stg_offers"), progress="ml_metadata_predictions")
    return to_output(frames_to_reader(infer_batches(products, offers), OUTPUT_SCHEMA), session)
