"""The report's inputs, read from a built warehouse (the only SQL of the report).

Each figure reads the evaluation, monitoring and mart tables the build keeps; a table the
build did not make (a capability without its input tables) becomes a `Missing` with the
reason, which the page shows in the figure's place.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from catalog_ml.bench_recs.bootstrap import bootstrap_means
from catalog_ml.headline import MATCHER_BASELINE, MATCHER_EVALUATION, SERVED

# Methods the NDCG-by-segment figure draws: the served ranker and the baselines DESIGN.md
# names (popularity, co-visitation alone); eval_ranking_metrics holds every source alone too.
RANKING_METHODS = (SERVED, "source_covisitation", "popularity")
BOOTSTRAP_RESAMPLES = 1000


@dataclass(frozen=True)
class Missing:
    """Why a figure has no data."""

    reason: str


def tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("select lower(table_name) from information_schema.tables").fetchall()
    return {name for (name,) in rows}


def _query(
    con: duckdb.DuckDBPyConnection, available: set[str], needs: tuple[str, ...], sql: str
) -> pd.DataFrame | Missing:
    absent = [name for name in needs if name not in available]
    if absent:
        return Missing(f"not in this build: {', '.join(absent)}")
    frame = con.execute(sql).df()
    return Missing(f"no rows in {', '.join(needs)}") if frame.empty else frame


def matcher_pr(con, available) -> tuple[pd.DataFrame, pd.DataFrame] | Missing:
    """The precision-recall curve on test labels and the matcher's and baseline's points."""
    curve = _query(
        con,
        available,
        ("eval_matcher_pr_curve",),
        "select threshold, precision, recall from eval_matcher_pr_curve order by recall,"
        " precision desc",
    )
    points = _query(
        con,
        available,
        ("eval_matcher_metrics",),
        "select evaluation, threshold, precision, recall, f1, average_precision"
        f" from eval_matcher_metrics where evaluation in ('{MATCHER_EVALUATION}',"
        f" '{MATCHER_BASELINE}') order by evaluation",
    )
    for part in (curve, points):
        if isinstance(part, Missing):
            return part
    return curve, points


def matcher_test_scores(con, available) -> pd.DataFrame | Missing:
    """The champion's calibrated score of every test-labelled pair, with its label (the
    rows eval_matcher_pr_curve reads)."""
    return _query(
        con,
        available,
        ("ml_matcher_scores", "stg_match_labels"),
        """
        select labels.offer_id, labels.product_id, cast(labels.is_match as integer) as is_match,
            scores.match_score
        from stg_match_labels as labels
        inner join ml_matcher_scores as scores
            on labels.offer_id = scores.offer_id and labels.product_id = scores.product_id
        where labels.split = 'test'
        order by labels.offer_id, labels.product_id
        """,
    )


def decision_scores(con, available) -> pd.DataFrame | Missing:
    """Every offer's decision and match score (fct_offer_matches) and the threshold."""
    return _query(
        con,
        available,
        ("fct_offer_matches", "ml_matcher_scores"),
        """
        select
            decision,
            decision_source,
            match_score,
            (select max(match_threshold) from ml_matcher_scores) as match_threshold
        from fct_offer_matches
        where match_score is not null
        order by offer_id
        """,
    )


def ndcg_by_segment(con, available) -> pd.DataFrame | Missing:
    """Per method and user segment ('all' too): mean NDCG@K and its 95% bootstrap interval
    over the segment's evaluated users (percentile bootstrap, fixed seed)."""
    rows = _query(
        con,
        available,
        ("eval_ranking_user_metrics", "int_recs_target_users", "eval_ranking_metrics"),
        f"""
        select metrics.method, users.user_segment, metrics.user_id, metrics.ndcg_at_k,
            (select max(k) from eval_ranking_metrics) as k
        from eval_ranking_user_metrics as metrics
        inner join int_recs_target_users as users
            on metrics.user_id = users.user_id and users.cutoff_name = 'eval'
        where metrics.method in ({", ".join(f"'{m}'" for m in RANKING_METHODS)})
        order by metrics.method, users.user_segment, metrics.user_id
        """,
    )
    if isinstance(rows, Missing):
        return rows
    segmented = pd.concat([rows.assign(user_segment="all"), rows], ignore_index=True)
    out = []
    for (method, segment), group in segmented.groupby(["method", "user_segment"], sort=True):
        values = group["ndcg_at_k"].to_numpy(dtype=float).reshape(-1, 1)
        (interval,), _ = bootstrap_means(values, resamples=BOOTSTRAP_RESAMPLES)
        out.append(
            {
                "method": method,
                "user_segment": segment,
                "users": len(group),
                "ndcg": interval.estimate,
                "low": interval.low,
                "high": interval.high,
            }
        )
    result = pd.DataFrame(out)
    result.attrs["k"] = int(rows["k"].iloc[0])
    return result


def retrieval_recall(con, available) -> pd.DataFrame | Missing:
    return _query(
        con,
        available,
        ("eval_retrieval_recall",),
        "select source_name, recall, relevant_retrieved, relevant_items, candidates_per_user"
        " from eval_retrieval_recall order by recall desc, source_name",
    )


def experiment_lifts(con, available) -> pd.DataFrame | Missing:
    """Every treatment variant and metric: relative lift, its 95% interval and the decision."""
    return _query(
        con,
        available,
        ("fct_experiment_results",),
        """
        select experiment_id, experiment_name, variant, metric_name, metric_role,
            relative_lift, relative_ci_low, relative_ci_high, decision, guardrail_status
        from fct_experiment_results
        where not is_control
        order by experiment_id, variant,
            case metric_role when 'primary' then 0 when 'guardrail' then 1 else 2 end,
            metric_name
        """,
    )


def drift(con, available) -> pd.DataFrame | Missing:
    return _query(
        con,
        available,
        ("mon_feature_drift",),
        "select model_name, feature_name, value_kind, psi, status from mon_feature_drift"
        " order by model_name, value_kind desc, feature_name",
    )


def registry(con, available) -> pd.DataFrame | Missing:
    return _query(
        con,
        available,
        ("mon_model_registry",),
        "select model_name, model_version, trained_at, holdout_metric_name, holdout_metric,"
        " is_promoted, is_champion, promotion_reason from mon_model_registry"
        " order by model_name, trained_at, model_version",
    )


def calibration_bins(labels: np.ndarray, scores: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Reliability table: equal-width score bins on [0, 1]; per non-empty bin the mean
    score, the share of matches and the pair count (sklearn's calibration_curve, uniform)."""
    labels = np.asarray(labels, dtype=float)
    scores = np.asarray(scores, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.searchsorted(edges[1:-1], scores), 0, bins - 1)
    counts = np.bincount(index, minlength=bins)
    keep = counts > 0
    return pd.DataFrame(
        {
            "mean_score": (np.bincount(index, weights=scores, minlength=bins)[keep]) / counts[keep],
            "match_share": (np.bincount(index, weights=labels, minlength=bins)[keep])
            / counts[keep],
            "pairs": counts[keep],
        }
    )
