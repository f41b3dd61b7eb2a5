"""The recommendations benchmark's printed table (catalog_ml.bench_recs)."""

from __future__ import annotations

from catalog_ml.bench_common import fmt
from catalog_ml.bench_recs.figures import SERVED

COLUMNS = (("ndcg_at_k", "NDCG@{k}"), ("recall_at_k", "recall@{k}"), ("mrr", "MRR"))
COLUMNS += (("catalog_coverage", "coverage"),)
CELL = 22


def cell(value: dict | None, signed: bool = False) -> str:
    """'0.253 [0.210, 0.297]': the estimate and its interval."""
    if value is None or value["estimate"] is None:
        return "-"
    sign = "+" if signed else ""
    estimate = f"{value['estimate']:{sign}.3f}"
    if value["low"] is None:
        return estimate
    return f"{estimate} [{value['low']:{sign}.3f}, {value['high']:{sign}.3f}]"


def method_order(methods: dict) -> list[str]:
    """Best mean NDCG first, ties by name."""
    return sorted(methods, key=lambda m: (-methods[m]["ndcg_at_k"]["estimate"], m))


def format_report(result: dict) -> str:
    k, boot, counts, run = result["k"], result["bootstrap"], result["counts"], result["run"]
    bots = result["bot_filter"]
    cutoffs = result["cutoffs"]
    lines = [
        f"recommendations benchmark: {result['data']}",
        f"eval cutoff {cutoffs.get('eval', '-')} (training cutoff {cutoffs.get('train', '-')}),"
        f" K = {k}, {result['evaluated_users']} evaluated users",
    ]
    if result.get("failed_nodes"):
        lines.append(
            "WARNING: the dbt build failed (see below); these figures come from the relations"
            " it did build"
        )
    methods = result["methods"]
    if not methods:
        lines.append("no evaluated users or no methods: nothing to compare (see the dbt log)")
    else:
        resamples = boot["resamples"]
        how = (
            f"{boot['level']:.0%} percentile bootstrap intervals over evaluated users"
            f" ({resamples} resamples, seed {boot['seed']}, the same resamples for every method)"
            if resamples
            else "no bootstrap (--bootstrap 0)"
        )
        lines += [how, ""]
        width = max(len("method"), *(len(m) for m in methods)) + 2
        lines.append(f"{'method':{width}}" + "".join(f"{t.format(k=k):{CELL}}" for _, t in COLUMNS))
        for method in method_order(methods):
            figures = methods[method]
            lines.append(
                f"{method:{width}}" + "".join(f"{cell(figures[c]):{CELL}}" for c, _ in COLUMNS)
            )
        missing = {
            m: f["users_with_row"]
            for m, f in methods.items()
            if f["users_with_row"] < result["evaluated_users"]
        }
        if missing:
            lines.append(
                "(users without a row in eval_ranking_user_metrics count as 0: "
                + ", ".join(f"{m} has {n}" for m, n in sorted(missing.items()))
                + ")"
            )
        lines.append("")
        best = result["ranker_vs_best_baseline"]
        if best is None:
            lines.append(f"no '{SERVED}' method (or nothing else) to compare: no paired difference")
        else:
            lines.append(
                f"served {SERVED} vs the best baseline by NDCG@{k} ({best['method']}):"
                f" NDCG@{k} difference {cell(best, signed=True)}"
            )
            lines.append(f"{SERVED} minus each other method, NDCG@{k}, paired on the same users:")
            for method, difference in sorted(
                result["ranker_vs"].items(), key=lambda item: (item[1]["estimate"], item[0])
            ):
                mark = "  (best baseline)" if method == best["method"] else ""
                lines.append(f"  {method:{width}}{cell(difference, signed=True)}{mark}")
        lines.append("")
    recall = ", ".join(
        f"{r['source_name']} {fmt(r['recall'])} ({fmt(r['candidates_per_user'], 1)}/user)"
        for r in sorted(result["retrieval_recall"], key=lambda r: -(r["recall"] or 0))
    )
    lines += [
        f"retrieval recall on the holdout: {recall or '-'}",
        f"data      events {counts['events']} (staging kept {counts['events_kept']}), users"
        f" {counts['users']} (kept {counts['users_kept']}), products {counts['products']}"
        f" (kept {counts['products_kept']})",
        f"bots      the filter flagged {bots['flagged_users']} of {bots['users_with_events']} users"
        " with events (on data without bots, its false-positive count)",
        f"run       dbt build {run['wall_seconds']:.1f} s wall, peak memory"
        f" {run['peak_memory_mb']:.0f} MB",
        "(coverage: distinct products in a method's lists / products in stg_products; its"
        " interval is a spread, biased low: a resample holds about 63% of the distinct users)",
    ]
    for node in result.get("failed_nodes", []):
        lines.append(f"build     {node['status']}: {node['unique_id']}: {node['message']}")
    return "\n".join(line.rstrip() for line in lines)
