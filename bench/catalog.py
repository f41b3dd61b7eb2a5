"""Catalog figures for `make bench` (bench/run.py): candidate pairs per second and per
offer, blocking completeness, matcher and metadata inference training and scoring time, from one demo build."""

from __future__ import annotations

import duckdb

BLOCKING = ["int_catalog_title_tokens", "int_catalog_candidates"]


def report(seconds: dict[str, float], con: duckdb.DuckDBPyConnection) -> dict:
    """`seconds` per model (run_results.json) of the build that wrote the warehouse `con`."""
    offers, pairs, per_offer, reduction, completeness = con.execute(
        "select offer_count, candidate_pairs, pairs_per_offer, reduction_ratio, true_pair_completeness"
        " from eval_blocking"
    ).fetchone()
    blocking = sum(seconds.get(name, 0.0) for name in BLOCKING)
    return {
        "offers": offers,
        "candidate_pairs": pairs,
        "pairs_per_offer": per_offer,
        "reduction_ratio": reduction,
        "true_pair_completeness": completeness,
        "blocking_seconds": blocking,
        "candidate_pairs_per_second": pairs / blocking if blocking else None,
        "pair_features_seconds": seconds.get("int_catalog_pair_features"),
        "matcher_training_seconds": seconds.get("ml_matcher_train"),
        "matcher_scoring_seconds": seconds.get("ml_matcher_scores"),
        "metadata_training_seconds": seconds.get("ml_metadata_train"),
        "metadata_scoring_seconds": seconds.get("ml_metadata_predictions"),
    }
