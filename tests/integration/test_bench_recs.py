"""The recommendations benchmark end to end on tests/fixtures/ratings_small (one real dbt
build): the fixture converts with --leave-last-out, the benchmark exits 0, and each figure of
its JSON equals the same quantity recomputed here from the warehouse (means with numpy from
eval_ranking_user_metrics over the evaluated users, coverage from int_recs_eval_lists)."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import REPO, run_bench

FIXTURE = REPO / "tests" / "fixtures" / "ratings_small"
CUTOFF = "2026-01-15 00:00:00"
METRICS = {"ndcg_at_k": "ndcg_at_k", "recall_at_k": "recall_at_k", "mrr": "reciprocal_rank"}
# What the converter tells a user to pass with leave-last-out data (drift not judged: the
# placement is artificial; catalog_ml.bench_recs.convert.LEAVE_LAST_OUT_VARS).
BUILD_VARS = "{drift_psi_error: 1000}"


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> dict:
    workdir = tmp_path_factory.mktemp("bench_recs")
    env = {**os.environ, "DBT_PROFILES_DIR": str(REPO), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    folder = workdir / "raw"
    convert = [sys.executable, "-m", "catalog_ml.bench_recs.convert", str(FIXTURE / "u.data")]
    convert += [str(folder), "--items", str(FIXTURE / "u.item"), "--leave-last-out"]
    converted = subprocess.run(convert, cwd=REPO, env=env, capture_output=True, text=True)
    assert converted.returncode == 0, converted.stderr
    assert f"--cutoff '{CUTOFF}' --vars '{BUILD_VARS}'" in converted.stdout
    args = [str(folder), "--cutoff", CUTOFF, "--vars", BUILD_VARS]
    return run_bench("catalog_ml.bench_recs", args, workdir)


@pytest.fixture(scope="module")
def warehouse(bench, query):
    return lambda sql: query(bench["work"], sql)


@pytest.fixture(scope="module")
def per_user(warehouse) -> dict[str, dict[str, np.ndarray]]:
    """Each method's per-user metrics over the evaluated users, by user id."""
    rows = warehouse(
        f"""
        select method, user_id, {", ".join(METRICS.values())}
        from eval_ranking_user_metrics
        where user_id in (select user_id from int_recs_target_users where cutoff_name = 'eval')
        order by method, user_id
        """
    )
    methods: dict[str, dict[str, list]] = {}
    for method, _, *values in rows:
        for name, value in zip(METRICS, values, strict=True):
            methods.setdefault(method, {}).setdefault(name, []).append(float(value))
    return {m: {k: np.array(v) for k, v in d.items()} for m, d in methods.items()}


def test_the_report_prints_every_part(bench):
    for text in [
        f"eval cutoff {CUTOFF}",
        "evaluated users",
        "NDCG@10",
        "recall@10",
        "MRR",
        "coverage",
        "served ranker vs the best baseline",
        "retrieval recall on the holdout",
        "peak memory",
    ]:
        assert text in bench["stdout"], text


def test_every_method_of_the_warehouse_is_listed(bench, warehouse):
    methods = {row[0] for row in warehouse("select distinct method from eval_ranking_user_metrics")}
    assert set(bench["figures"]["methods"]) == methods and "ranker" in methods


def test_evaluated_users_and_counts_equal_the_warehouse_and_the_fixture(bench, warehouse):
    figures = bench["figures"]
    ((evaluated,),) = warehouse(
        "select count(distinct user_id) from int_recs_target_users where cutoff_name = 'eval'"
    )
    assert figures["evaluated_users"] == evaluated > 200
    ratings = (FIXTURE / "u.data").read_text().splitlines()
    counts = figures["counts"]
    assert counts["events"] == len(ratings)
    assert counts["users"] == len({line.split("\t")[0] for line in ratings})
    assert counts["products"] == len({line.split("\t")[1] for line in ratings})
    kept = warehouse(
        "select (select count(*) from stg_events), (select count(*) from stg_users),"
        " (select count(*) from stg_products)"
    )[0]
    assert (counts["events_kept"], counts["users_kept"], counts["products_kept"]) == kept
    assert figures["cutoffs"]["eval"] == CUTOFF
    assert figures["run"]["wall_seconds"] > 0 and figures["run"]["peak_memory_mb"] > 0


def test_means_equal_numpy_on_the_warehouse(bench, per_user):
    figures = bench["figures"]
    n = figures["evaluated_users"]
    for method, metrics in per_user.items():
        for name, values in metrics.items():
            assert len(values) == n, (method, name)
            figure = figures["methods"][method][name]
            assert figure["estimate"] == pytest.approx(np.mean(values)), (method, name)
            assert figure["low"] <= figure["estimate"] <= figure["high"], (method, name)


def test_coverage_equals_the_lists_over_the_catalog(bench, warehouse):
    ((catalog,),) = warehouse("select count(*) from stg_products")
    listed = dict(
        warehouse("select method, count(distinct product_id) from int_recs_eval_lists group by 1")
    )
    for method, figures in bench["figures"]["methods"].items():
        expected = listed.get(method, 0) / catalog
        assert figures["catalog_coverage"]["estimate"] == pytest.approx(expected), method
        assert figures["listed_products"] == listed.get(method, 0)


def test_the_ranker_is_compared_with_the_best_baseline(bench, per_user):
    figures = bench["figures"]
    others = {m: v["ndcg_at_k"].mean() for m, v in per_user.items() if m != "ranker"}
    baselines = {m: value for m, value in others.items() if not m.startswith("ranker")}
    best = max(baselines.values())
    paired = figures["ranker_vs_best_baseline"]
    assert baselines[paired["method"]] == pytest.approx(best)
    assert paired["estimate"] == pytest.approx(per_user["ranker"]["ndcg_at_k"].mean() - best)
    assert paired["low"] <= paired["estimate"] <= paired["high"]
    assert set(figures["ranker_vs"]) == set(others)


def test_personalised_methods_beat_popularity_on_the_fixture(bench):
    """The fixture's taste structure is visible: the ranker's paired NDCG gain over global
    popularity is above zero with 95% confidence."""
    assert bench["figures"]["ranker_vs"]["popularity"]["low"] > 0


def test_the_bot_filter_count_is_the_warehouse_count_and_flags_no_buyer(bench, warehouse):
    (users, flagged) = warehouse(
        "select count(*), count(case when is_bot then 1 end) from int_recs_user_behaviour"
    )[0]
    assert bench["figures"]["bot_filter"] == {"users_with_events": users, "flagged_users": flagged}
    # ratings data has no impressions (click-through unmeasurable): the filter must abstain,
    # not flag real users
    assert flagged == 0 and users == 300
    assert f"the filter flagged 0 of {users} users" in bench["stdout"]
