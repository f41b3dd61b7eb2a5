"""Scores the eval and serve candidates with the ranker's champion (or the pinned version)
from the registry ml_ranker_train (catalog_ml.ranking.score_batches), batch by batch: the
candidates of every user at three cutoffs outgrow memory as one frame at scale 10. Every
batch logs its progress."""

from catalog_ml.portable import frames_to_reader, to_output, to_pandas, to_pandas_batches
from catalog_ml.ranking import SCORE_SCHEMA, score_batches
from catalog_ml.registry import pinned_version


def model(dbt, session):
    dbt.config(materialized="table")
    registry_rows = to_pandas(dbt.ref("ml_ranker_train"))
    pinned = pinned_version(dbt.config.meta_get("pinned_version"))
    rows = dbt.ref("int_recs_ranker_scoring_rows")
    batches = to_pandas_batches(rows, progress="ml_ranker_scores")
    scores = score_batches(batches, registry_rows, pinned)
    return to_output(frames_to_reader(scores, SCORE_SCHEMA), session)
