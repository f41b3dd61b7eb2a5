"""The expectations of the dbt unit test on the ranking metric macros
(models/evaluation/recommendations/eval_ranking_user_metrics.yml) recomputed independently:
NDCG with sklearn.metrics.ndcg_score, the others with a plain Python implementation."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml
from sklearn.metrics import ndcg_score

YAML = (
    Path(__file__).resolve().parents[2]
    / "models/evaluation/recommendations/eval_ranking_user_metrics.yml"
)


def unit_test() -> dict:
    (test,) = yaml.safe_load(YAML.read_text())["unit_tests"]
    return test


def given(test: dict, name: str) -> list[dict]:
    return next(item["rows"] for item in test["given"] if item["input"] == f"ref('{name}')")


def python_metrics(listed: list[str], relevant: dict[str, int], k: int) -> dict[str, float]:
    top = listed[:k]
    hits = [rank for rank, item in enumerate(top, start=1) if relevant.get(item, 0) > 0]
    precisions = [(number + 1) / rank for number, rank in enumerate(hits)]
    items = top + [item for item in relevant if item not in top]
    true = [relevant.get(item, 0) for item in items]
    scores = [len(items) - position for position in range(len(items))]
    return {
        "ndcg_at_k": ndcg_score([true], [scores], k=k) if any(true) else 0.0,
        "average_precision_at_k": sum(precisions) / min(len(relevant), k),
        "recall_at_k": len(hits) / len(relevant),
        "precision_at_k": len(hits) / k,
        "reciprocal_rank": 1 / hits[0] if hits else 0.0,
    }


def test_unit_test_expectations_match_sklearn_and_python():
    test = unit_test()
    k = test["overrides"]["vars"]["recs_k"]
    lists = given(test, "int_recs_eval_lists")
    labels = [row for row in given(test, "int_recs_ranker_labels") if row["cutoff_name"] == "eval"]
    popularity = {
        row["product_id"]: row
        for row in given(test, "int_recs_item_popularity")
        if row["cutoff_name"] == "eval"
    }
    for expected in test["expect"]["rows"]:
        user = expected["user_id"]
        listed = [
            row["product_id"]
            for row in sorted(lists, key=lambda row: row["rank"])
            if row["user_id"] == user
        ]
        relevant = {row["product_id"]: row["relevance"] for row in labels if row["user_id"] == user}
        computed = python_metrics(listed, relevant, k)
        categories = [popularity[item]["category_level_1"] for item in listed[:k]]
        same = sum(categories.count(c) * (categories.count(c) - 1) for c in set(categories))
        computed["intra_list_diversity"] = 1 - same / (len(categories) * (len(categories) - 1))
        computed["novelty"] = sum(-math.log2(popularity[i]["user_share"]) for i in listed[:k]) / k
        computed["popularity_bias"] = (
            sum(popularity[i]["popularity_percentile"] for i in listed[:k]) / k
        )
        for metric, value in computed.items():
            assert expected[metric] == pytest.approx(value, abs=1e-6), (user, metric)
