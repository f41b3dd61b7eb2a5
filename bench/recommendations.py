"""Recommendation figures for `make bench` (bench/run.py): events per second through cleaning
and retrieval, candidates per user, ranker training and scoring time, from one demo build."""

from __future__ import annotations

import duckdb

CLEANING = [
    "int_recs_events_deduped",
    "int_recs_sessions",
    "int_recs_user_behaviour",
    "int_recs_interactions_clean",
]
RETRIEVAL = [
    "int_recs_cutoffs",
    "int_recs_user_history",
    "int_recs_item_popularity",
    "int_recs_covisitation",
    "int_recs_content_similarity",
    "int_recs_retrieval_covisitation",
    "int_recs_retrieval_content",
    "int_recs_retrieval_history",
    "int_recs_retrieval_popularity",
    "int_recs_ranker_candidates",
]


def report(seconds: dict[str, float], con: duckdb.DuckDBPyConnection) -> dict:
    """Recommendation figures of one demo build: `seconds` per model (run_results.json), `con`
    the warehouse it wrote."""
    events = con.execute("select count(*) from stg_events").fetchone()[0]
    per_user = con.execute(
        "select cutoff_name, count(*) * 1.0 / count(distinct user_id)"
        " from int_recs_ranker_candidates group by 1 order by 1"
    ).fetchall()
    cleaning = sum(seconds.get(name, 0.0) for name in CLEANING)
    retrieval = sum(seconds.get(name, 0.0) for name in RETRIEVAL)
    return {
        "events": events,
        "cleaning_seconds": cleaning,
        "retrieval_seconds": retrieval,
        "cleaning_events_per_second": events / cleaning if cleaning else None,
        "cleaning_and_retrieval_events_per_second": events / (cleaning + retrieval)
        if cleaning + retrieval
        else None,
        "candidates_per_user": dict(per_user),
        "ranker_training_seconds": seconds.get("ml_ranker_train"),
        "ranker_scoring_seconds": seconds.get("ml_ranker_scores"),
    }
