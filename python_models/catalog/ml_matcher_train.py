"""Trains the offer-to-product matcher (catalog_ml.matching) on train/valid labels and appends
its registry row: incremental, so every version stays; an unchanged version adds nothing."""

from catalog_ml.matching import train_and_register
from catalog_ml.portable import read_table, to_output, to_pandas


def model(dbt, session):
    dbt.config(materialized="incremental")
    training = to_pandas(dbt.ref("int_catalog_training_pairs"))
    existing = read_table(session, dbt.this) if dbt.is_incremental else None
    margin = float(dbt.config.meta_get("promotion_margin"))
    return to_output(train_and_register(training, existing, margin), session)
