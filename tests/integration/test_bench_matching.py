"""The matching benchmark end to end on tests/fixtures/magellan_small (one real dbt build):
it exits 0, its JSON has every figure, each figure equals the same quantity recomputed here
from the warehouse (with sklearn where it is a metric), and the mapping keeps every row."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from conftest import REPO, run_bench
from sklearn.metrics import average_precision_score, precision_recall_fscore_support

FIXTURE = REPO / "tests" / "fixtures" / "magellan_small"
SPLITS = ("train", "valid", "test")


def fixture_rows(name: str) -> list[dict[str, str]]:
    with open(FIXTURE / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> dict:
    workdir = tmp_path_factory.mktemp("bench_matching")
    return run_bench("catalog_ml.bench_matching", [str(FIXTURE)], workdir)


@pytest.fixture(scope="module")
def warehouse(bench, query):
    return lambda sql: query(bench["work"], sql)


@pytest.fixture(scope="module")
def test_pairs(warehouse) -> dict[str, np.ndarray]:
    """The warehouse's test labels with what blocking and the matcher did to each."""
    rows = warehouse(
        """
        select
            cast(labels.is_match as integer),
            exists (
                select 1 from int_catalog_candidates as c
                where c.offer_id = labels.offer_id and c.product_id = labels.product_id
            ),
            scores.match_score,
            scores.match_threshold
        from stg_match_labels as labels
        left join ml_matcher_scores as scores using (offer_id, product_id)
        where labels.split = 'test'
        """
    )
    label, proposed, score, threshold = np.array(rows, dtype=float).T  # None -> nan
    return {
        "label": label,
        "proposed": proposed.astype(bool),
        "score": score,
        "threshold": threshold,
    }


def test_the_report_prints_every_row(bench):
    for text in [
        "matcher: blocking + score >=",
        "matcher score alone",
        "baseline: title TF-IDF >=",
        "pair completeness: test matches",
        "offers with no candidate",
        "labelled pairs train",
        "unparseable prices left empty: tableA 1, tableB 1",
        "peak memory",
    ]:
        assert text in bench["stdout"], text


def test_the_json_has_every_figure(bench):
    figures = bench["figures"]
    metrics = ["precision", "recall", "f1", "average_precision", "pairs"]
    for name in ["matcher", "matcher_score_alone", "baseline_title_tfidf"]:
        for metric in metrics:
            assert figures[name][metric] is not None, (name, metric)
    assert figures["matcher"]["threshold"] is not None
    assert figures["matcher"]["model_version"]
    blocking = figures["blocking"]
    for scope in ["test", "all_labelled"]:
        assert blocking[scope]["pair_completeness"] is not None
    for key in ["candidate_pairs", "candidate_pairs_per_offer", "offers_without_candidate"]:
        assert blocking[key] is not None
    assert figures["run"]["wall_seconds"] > 0 and figures["run"]["peak_memory_mb"] > 0


def test_the_mapping_keeps_every_row_of_the_fixture(bench, warehouse):
    counts = bench["figures"]["counts"]
    assert counts["products"] == len(fixture_rows("tableA.csv"))
    assert counts["offers"] == len(fixture_rows("tableB.csv"))
    for split in SPLITS:
        rows = fixture_rows(f"{split}.csv")
        assert counts["labelled_pairs"][split] == len(rows)
        assert counts["labelled_matches"][split] == sum(row["label"] == "1" for row in rows)
    assert counts["unparseable_prices"] == {"products": 1, "offers": 1}
    assert counts["duplicate_label_rows_dropped"] == 0
    # staging keeps every mapped row, so the warehouse's labels are the fixture's
    (products, offers, labels) = warehouse(
        "select (select count(*) from stg_products), (select count(*) from stg_offers),"
        " (select count(*) from stg_match_labels)"
    )[0]
    assert (products, offers) == (counts["products"], counts["offers"])
    assert (counts["products_kept"], counts["offers_kept"]) == (products, offers)
    assert counts["labelled_pairs_kept"] == labels == sum(counts["labelled_pairs"].values())
    by_split = dict(warehouse("select split, count(*) from stg_match_labels group by 1"))
    assert by_split == counts["labelled_pairs"]


def test_the_fixture_is_big_enough_to_train_the_matcher(bench):
    matches = bench["figures"]["counts"]["labelled_matches"]
    assert matches["train"] >= 40 and matches["valid"] >= 12 and matches["test"] >= 12


def test_matcher_figures_equal_sklearn_on_the_warehouse(bench, test_pairs):
    figures = bench["figures"]
    label, proposed = test_pairs["label"], test_pairs["proposed"]
    score, threshold = test_pairs["score"], test_pairs["threshold"]
    predicted = proposed & ~np.isnan(score) & (score >= threshold)
    precision, recall, f1, _ = precision_recall_fscore_support(label, predicted, average="binary")
    end_to_end_score = np.where(proposed & ~np.isnan(score), score, -1.0)
    matcher = figures["matcher"]
    assert matcher["pairs"] == len(label)
    assert [matcher["precision"], matcher["recall"], matcher["f1"]] == pytest.approx(
        [precision, recall, f1]
    )
    assert matcher["average_precision"] == pytest.approx(
        average_precision_score(label, end_to_end_score)
    )
    assert matcher["threshold"] == pytest.approx(np.unique(threshold[~np.isnan(threshold)])[0])

    scored = ~np.isnan(score)
    alone = figures["matcher_score_alone"]
    expected = precision_recall_fscore_support(
        label[scored], score[scored] >= threshold[scored], average="binary"
    )[:3]
    assert [alone["precision"], alone["recall"], alone["f1"]] == pytest.approx(list(expected))
    assert alone["average_precision"] == pytest.approx(
        average_precision_score(label[scored], score[scored])
    )


def test_baseline_is_the_builds_own(bench, warehouse):
    row = warehouse(
        "select precision, recall, f1, average_precision, threshold, evaluated_rows"
        " from eval_matcher_metrics where evaluation = 'baseline_title_tfidf'"
    )[0]
    baseline = bench["figures"]["baseline_title_tfidf"]
    names = ["precision", "recall", "f1", "average_precision", "threshold", "pairs"]
    assert [baseline[name] for name in names] == pytest.approx([float(v) for v in row])


def test_blocking_figures_equal_the_warehouse(bench, warehouse, test_pairs):
    blocking = bench["figures"]["blocking"]
    positives = test_pairs["label"] == 1
    assert blocking["test"]["positives"] == positives.sum()
    assert blocking["test"]["pair_completeness"] == pytest.approx(
        test_pairs["proposed"][positives].mean()
    )
    ((all_positives, all_kept),) = warehouse(
        "select count(*), count(c.offer_id) from stg_match_labels as l"
        " left join (select distinct offer_id, product_id from int_catalog_candidates) as c"
        " using (offer_id, product_id) where l.is_match"
    )
    assert blocking["all_labelled"]["positives"] == all_positives
    assert blocking["all_labelled"]["pair_completeness"] == pytest.approx(all_kept / all_positives)
    ((pairs, offers, without),) = warehouse(
        "select (select count(*) from int_catalog_candidates), (select count(*) from stg_offers),"
        " (select count(*) from stg_offers where offer_id not in"
        "  (select offer_id from int_catalog_candidates))"
    )
    assert blocking["candidate_pairs"] == pairs
    assert blocking["candidate_pairs_per_offer"] == pytest.approx(pairs / offers)
    assert blocking["offers_without_candidate"] == without
