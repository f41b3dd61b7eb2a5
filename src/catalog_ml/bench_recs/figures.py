"""The recommendations benchmark's figures, read from a built warehouse.

Only stable relations are read: int_recs_cutoffs, int_recs_target_users (the evaluated
users: cutoff 'eval'), eval_ranking_user_metrics (one row per method and user),
int_recs_eval_lists (each method's top-K lists), eval_retrieval_recall,
int_recs_user_behaviour (the bot filter), and stg_products, stg_users, stg_events, by name
(catalog_ml.warehouse.connect puts every layer's schema on the search path). The methods are
whatever eval_ranking_user_metrics holds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from catalog_ml.bench_common import json_number
from catalog_ml.bench_recs.bootstrap import LEVEL, SEED, bootstrap, paired_difference
from catalog_ml.bench_recs.bootstrap import percentile_interval as interval
from catalog_ml.warehouse import connect

SERVED = "ranker"
# Per-user columns of eval_ranking_user_metrics averaged over evaluated users, and their
# names in the figures.
MEAN_METRICS = {"ndcg_at_k": "ndcg_at_k", "recall_at_k": "recall_at_k", "reciprocal_rank": "mrr"}


def read_warehouse(warehouse: Path) -> dict:
    """The rows the figures need, as numpy arrays and plain values."""
    with connect(warehouse) as con:
        users = [
            row[0]
            for row in con.execute(
                "select distinct user_id from int_recs_target_users"
                " where cutoff_name = 'eval' order by user_id"
            ).fetchall()
        ]
        metrics = con.execute(
            f"""
            select method, user_id, {", ".join(MEAN_METRICS)}
            from eval_ranking_user_metrics
            where user_id in (
                select user_id from int_recs_target_users where cutoff_name = 'eval'
            )
            order by method, user_id
            """
        ).fetchall()
        lists = con.execute(
            """
            select distinct method, user_id, product_id
            from int_recs_eval_lists
            order by method, user_id, product_id
            """
        ).fetchall()
        cutoffs = dict(
            con.execute(
                "select cutoff_name, strftime(cutoff_at, '%Y-%m-%d %H:%M:%S') from int_recs_cutoffs"
            ).fetchall()
        )
        recall = con.execute(
            """
            select source_name, recall, candidates_per_user
            from eval_retrieval_recall order by source_name
            """
        ).fetchall()
        kept = {
            name: con.execute(f"select count(*) from stg_{name}").fetchone()[0]
            for name in ("events", "users", "products")
        }
        bots = con.execute(
            "select count(*), count(case when is_bot then 1 end) from int_recs_user_behaviour"
        ).fetchone()
    return {
        "bot_filter": {"users_with_events": bots[0], "flagged_users": bots[1]},
        "users": users,
        "metrics": metrics,
        "lists": lists,
        "cutoffs": cutoffs,
        "retrieval_recall": recall,
        "kept": kept,
    }


def compute(rows: dict, resamples: int = 1000, seed: int = SEED, level: float = LEVEL) -> dict:
    """Every method's mean metrics and catalog coverage with bootstrap intervals (one
    resample of users shared by all methods), and the served ranker's paired NDCG
    difference against every other method, the best baseline (by mean NDCG, the ranker's own
    lists aside) named."""
    users = rows["users"]
    position = {user: i for i, user in enumerate(users)}
    methods = sorted({row[0] for row in rows["metrics"]})
    n_metrics = len(MEAN_METRICS)
    # users x (methods x metrics); a method without a row for an evaluated user scores 0
    values = np.zeros((len(users), len(methods) * n_metrics))
    present = np.zeros((len(users), len(methods)), dtype=bool)
    column = {method: j for j, method in enumerate(methods)}
    for method, user, *figures in rows["metrics"]:
        i, j = position[user], column[method]
        values[i, j * n_metrics : (j + 1) * n_metrics] = [float(v or 0) for v in figures]
        present[i, j] = True
    catalog = rows["kept"]["products"]
    listed = {method: ([], []) for method in methods}
    products: dict[str, int] = {}
    for method, user, product in rows["lists"]:
        if method in listed and user in position:
            listed[method][0].append(position[user])
            listed[method][1].append(products.setdefault(product, len(products)))
    listed_arrays = {
        m: (np.array(u, dtype=np.int64), np.array(p, dtype=np.int64))
        for m, (u, p) in listed.items()
    }

    def statistic(weights: np.ndarray) -> np.ndarray:
        means = weights @ values / weights.sum()
        chosen = weights > 0
        coverage = []
        for method in methods:
            user_index, product_index = listed_arrays[method]
            covered = np.zeros(len(products) + 1, dtype=bool)
            covered[product_index[chosen[user_index]]] = True
            coverage.append(covered.sum() / catalog if catalog else np.nan)
        return np.concatenate([means, coverage])

    result: dict = {"methods": {}, "ranker_vs": {}, "ranker_vs_best_baseline": None}
    if not users or not methods:
        return result
    estimate, draws = bootstrap(statistic, len(users), resamples, seed)
    coverage_at = len(methods) * n_metrics
    for j, method in enumerate(methods):
        figures = {
            name: interval(estimate[j * n_metrics + k], draws[:, j * n_metrics + k], level)
            for k, name in enumerate(MEAN_METRICS.values())
        }
        figures["catalog_coverage"] = interval(
            estimate[coverage_at + j], draws[:, coverage_at + j], level
        )
        result["methods"][method] = {
            **{name: value.as_dict() for name, value in figures.items()},
            "users_with_row": int(present[:, j].sum()),
            "listed_products": len(np.unique(listed_arrays[method][1])),
        }
    if SERVED in column:
        ndcg = {m: column[m] * n_metrics for m in methods}
        for method in methods:
            if method == SERVED:
                continue
            a, b = ndcg[SERVED], ndcg[method]
            result["ranker_vs"][method] = paired_difference(
                estimate[a], estimate[b], draws[:, a], draws[:, b], level
            ).as_dict()
        # the baselines: every method but the ranker's own lists (served, before re-ranking)
        baselines = [m for m in methods if not m.startswith(SERVED)]
        if baselines:
            best = min(baselines, key=lambda m: (-estimate[ndcg[m]], m))  # ties: by name
            result["ranker_vs_best_baseline"] = {"method": best, **result["ranker_vs"][best]}
    return result


def figures(warehouse: Path, resamples: int = 1000, seed: int = SEED, level: float = LEVEL) -> dict:
    """The benchmark's figures from a built warehouse (JSON-ready)."""
    rows = read_warehouse(warehouse)
    result = compute(rows, resamples, seed, level)
    result["cutoffs"] = rows["cutoffs"]
    result["retrieval_recall"] = [
        {"source_name": name, "recall": json_number(r), "candidates_per_user": json_number(c)}
        for name, r, c in rows["retrieval_recall"]
    ]
    result["evaluated_users"] = len(rows["users"])
    result["kept"] = rows["kept"]
    result["bot_filter"] = rows["bot_filter"]
    result["bootstrap"] = {"resamples": resamples, "seed": seed, "level": level}
    return result
