"""Recommendations benchmark: builds the recommendation models of the demo at each scale and
prints events per second through cleaning and retrieval, candidates per user, ranker training
and scoring time, and peak memory (max RSS of the dbt process). `make bench` can call
`bench_recommendations(scale, workdir)`; alone: `python bench/recommendations.py --scales 1 10`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
DBT = str(Path(sys.executable).with_name("dbt"))
SELECT = [
    "+fct_recommendations",
    "+fct_related_items",
    "+eval_ranking_metrics",
    "+eval_retrieval_recall",
]
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


def bench_recommendations(scale: float, workdir: Path) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(REPO),
        "CATALOG_ML_DUCKDB_PATH": str(workdir / "warehouse.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    command = [DBT, "run", "-s", *SELECT, "--vars", f"{{demo_scale: {scale}}}"]
    command += ["--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs")]
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        sys.exit(f"failed: {' '.join(command)}\n{output[-4000:]}")
    results = json.loads((workdir / "target" / "run_results.json").read_text())
    seconds = {row["unique_id"].split(".")[-1]: row["execution_time"] for row in results["results"]}
    with duckdb.connect(str(workdir / "warehouse.duckdb"), read_only=True) as con:
        events = con.execute("select count(*) from stg_events").fetchone()[0]
        per_user = con.execute(
            "select cutoff_name, count(*) * 1.0 / count(distinct user_id) from int_recs_ranker_candidates group by 1"
        ).fetchall()
    cleaning = sum(seconds.get(name, 0.0) for name in CLEANING)
    retrieval = sum(seconds.get(name, 0.0) for name in RETRIEVAL)
    return {
        "scale": scale,
        "events": events,
        "cleaning_seconds": cleaning,
        "cleaning_events_per_second": events / cleaning if cleaning else None,
        "cleaning_and_retrieval_events_per_second": events / (cleaning + retrieval)
        if cleaning + retrieval
        else None,
        "candidates_per_user": dict(per_user),
        "ranker_training_seconds": seconds.get("ml_ranker_train"),
        "ranker_scoring_seconds": seconds.get("ml_ranker_scores"),
        "wall_seconds": wall,
        "peak_memory_mb": usage.ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0])
    parser.add_argument("--workdir", type=Path, default=REPO / "bench" / "work" / "recommendations")
    args = parser.parse_args()
    for scale in args.scales:
        result = bench_recommendations(scale, args.workdir / f"scale_{scale:g}")
        print(json.dumps(result, indent=2, default=str))
        out = REPO / "bench" / "results"
        out.mkdir(parents=True, exist_ok=True)
        (out / f"recommendations_scale_{scale:g}.json").write_text(
            json.dumps(result, indent=2, default=str)
        )


if __name__ == "__main__":
    main()
