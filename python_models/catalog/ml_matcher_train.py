"""Trains the offer-to-product matcher (catalog_ml.matching) on train/valid labels and appends
its registry row: incremental, so every version stays; an unchanged version adds nothing."""

from catalog_ml.matching import train_and_register
from catalog_ml.portable import read_table, to_output, to_pandas


def model(dbt, session):
    dbt.config(materialized="incremental")
    # rows in key order, so folds and trees see the same frame on every build
    training = to_pandas(dbt.ref("int_catalog_training_pairs"), order_by=["offer_id", "product_id"])
    existing = read_table(session, dbt.this) if dbt.is_incremental else None
    margin = float(dbt.config.meta_get("promotion_margin"))
    min_offers = int(dbt.config.meta_get("promotion_min_holdout_offers"))
    return to_output(train_and_register(training, existing, margin, min_offers), session)
