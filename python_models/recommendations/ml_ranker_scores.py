"""Scores the eval and serve candidates with the ranker's champion (or the pinned version)
from the registry ml_ranker_train (catalog_ml.ranking.score_batches), batch by batch: the
candidates of every user at three cutoffs outgrow memory as one frame at scale 10. Every
batch logs its progress."""

from catalog_ml.ranking import SCORE_SCHEMA, score_batches
from catalog_ml.scoring import score_with_registry


def model(dbt, session):
    dbt.config(materialized="table")
    return score_with_registry(
        session,
        registry=dbt.ref("ml_ranker_train"),
        pinned=dbt.config.meta_get("pinned_version"),
        rows=dbt.ref("int_recs_ranker_scoring_rows"),
        progress="ml_ranker_scores",
        score_batches=score_batches,
        schema=SCORE_SCHEMA,
    )
