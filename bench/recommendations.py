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
# Retrieval: what the sources read, every int_recs_retrieval_<source> model (macro
# recs_retrieval_sources), and the candidate union.
RETRIEVAL = [
    "int_recs_cutoffs",
    "int_recs_user_history",
    "int_recs_item_popularity",
    "int_recs_covisitation",
    "int_recs_content_similarity",
    "int_recs_transitions",
    "int_recs_ease_neighbours",
    "int_recs_source_shares",
    "int_recs_ranker_candidates",
]
RETRIEVAL_SOURCE_PREFIX = "int_recs_retrieval_"


def report(seconds: dict[str, float], con: duckdb.DuckDBPyConnection) -> dict:
    """Recommendation figures of one demo build: `seconds` per model (run_results.json), `con`
    the warehouse it wrote."""
    events = con.execute("select count(*) from stg_events").fetchone()[0]
    per_user = con.execute(
        "select cutoff_name, count(*) * 1.0 / count(distinct user_id)"
        " from int_recs_ranker_candidates group by 1 order by 1"
    ).fetchall()
    cleaning = sum(seconds.get(name, 0.0) for name in CLEANING)
    retrieval = sum(seconds.get(name, 0.0) for name in RETRIEVAL) + sum(
        value for name, value in seconds.items() if name.startswith(RETRIEVAL_SOURCE_PREFIX)
    )
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
