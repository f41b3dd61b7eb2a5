"""Predicted catalog category and brand, with confidence, for every product and offer
(catalog_ml.metadata): out-of-fold for products whose value is known."""

from catalog_ml.metadata import infer
from catalog_ml.portable import to_output, to_pandas


def model(dbt, session):
    dbt.config(materialized="table")
    # rows in key order: the folds and SGD epochs see them alike on every build
    products = to_pandas(dbt.ref("stg_products"), order_by=["product_id"])
    offers = to_pandas(dbt.ref("stg_offers"), order_by=["offer_id"])
    return to_output(infer(products, offers), session)
