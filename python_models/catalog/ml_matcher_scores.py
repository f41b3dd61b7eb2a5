"""Scores every candidate and labelled pair with the champion matcher from the registry
(or the version var matcher_pinned_version pins): calibrated match probability."""

from catalog_ml.matching import score
from catalog_ml.portable import to_output, to_pandas
from catalog_ml.registry import pinned_version


def model(dbt, session):
    dbt.config(materialized="table")
    pairs = to_pandas(dbt.ref("int_catalog_scoring_pairs"))
    registry_rows = to_pandas(dbt.ref("ml_matcher_train"))
    pinned = pinned_version(dbt.config.meta_get("pinned_version"))
    return to_output(score(pairs, registry_rows, pinned), session)
