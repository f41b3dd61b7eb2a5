"""Trains metadata inference (catalog_ml.metadata: a title classifier per attribute) on the
catalog products with known values and appends its registry row (registry.register, as the
matcher and the ranker): incremental, so every version stays; an unchanged version adds
nothing."""

from catalog_ml.metadata import train_and_register
from catalog_ml.portable import read_table, to_output, to_pandas


def model(dbt, session):
    dbt.config(materialized="incremental")
    # rows in key order: the SGD epochs and the version hash see the same frame on every build
    products = to_pandas(dbt.ref("int_catalog_metadata_training_rows"), order_by=["listing_id"])
    existing = read_table(session, dbt.this) if dbt.is_incremental else None
    margin = float(dbt.config.meta_get("promotion_margin"))
    min_products = int(dbt.config.meta_get("promotion_min_holdout_products"))
    return to_output(train_and_register(products, existing, margin, min_products), session)
