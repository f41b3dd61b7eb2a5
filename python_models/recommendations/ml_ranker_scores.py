"""Scores the eval and serve candidates with the ranker's champion (or the pinned version)
from the registry ml_ranker_train (catalog_ml.ranking.score)."""

from catalog_ml.portable import to_output, to_pandas
from catalog_ml.ranking import score
from catalog_ml.registry import pinned_version


def model(dbt, session):
    dbt.config(materialized="table")
    features = to_pandas(dbt.ref("int_recs_ranker_scoring_rows"))
    registry_rows = to_pandas(dbt.ref("ml_ranker_train"))
    pinned = pinned_version(dbt.config.meta_get("pinned_version"))
    return to_output(score(features, registry_rows, pinned), session)
