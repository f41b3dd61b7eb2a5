"""Catalog matching end to end: metrics against sklearn, the matcher against a plain
baseline, blocking that stays linear, and the review loop in files mode (an override flips a
decision and a new label enters the training set; titles and prices alone still score)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import run_dbt
from sklearn.metrics import average_precision_score, precision_recall_fscore_support

from catalog_ml.demo import RAW_TABLES, generate

# The champion must reach this F1 on the test labels of the CI demo build, and beat the
# single-similarity baseline by this much. At demo scale 0.1 (the harder offers: no brand
# column, codes written several ways, accessories, near-variants) the matcher measures 0.952
# and the baseline 0.716 (README); a matcher that loses its code, number or brand features
# falls back towards the baseline and fails.
MATCHER_F1_FLOOR = 0.9
MATCHER_MARGIN_OVER_BASELINE = 0.15
# Metadata inference, out of fold on the CI demo build: scale 0.1 measures category 1.00 and
# brand 0.90 (0.99 above the confidence bar); guessing each attribute's most common value
# gets 0.05 (category) and 0.07 (brand).
METADATA_ACCURACY_FLOOR = {"category": 0.95, "brand": 0.8}
METADATA_ABOVE_BAR_FLOOR = 0.95
CATALOG_MODELS = [
    "+fct_offer_matches",
    "+int_catalog_training_pairs",
    "--indirect-selection",
    "cautious",
]


def metrics_row(workdir: Path, query, evaluation: str) -> dict:
    frame = query(workdir, f"select * from eval_matcher_metrics where evaluation = '{evaluation}'")
    columns = [
        "evaluation",
        "model_version",
        "threshold",
        "evaluated_rows",
        "positives",
        "true_positives",
        "false_positives",
        "false_negatives",
        "precision",
        "recall",
        "f1",
        "average_precision",
    ]
    return dict(zip(columns, frame[0], strict=True))


def test_matcher_metrics_equal_sklearn_on_the_test_labels(demo_build, query):
    rows = query(
        demo_build,
        "select s.match_score, s.match_threshold, cast(l.is_match as integer)"
        " from ml_matcher_scores s join stg_match_labels l using (offer_id, product_id)"
        " where l.split = 'test'",
    )
    scores, thresholds, labels = (np.array(col, dtype=float) for col in zip(*rows, strict=True))
    precision, recall, f1, _ = precision_recall_fscore_support(
        labels, scores >= thresholds, average="binary", zero_division=0
    )
    row = metrics_row(demo_build, query, "matcher_test_labels")
    assert row["evaluated_rows"] == len(labels)
    assert row["precision"] == pytest.approx(precision, abs=1e-9)
    assert row["recall"] == pytest.approx(recall, abs=1e-9)
    assert row["f1"] == pytest.approx(f1, abs=1e-9)
    # the SQL adds its terms at 9 decimals (macro deterministic_sum): agreement to 1e-8
    assert row["average_precision"] == pytest.approx(
        average_precision_score(labels, scores), abs=1e-8
    )


def test_baseline_average_precision_equals_sklearn(demo_build, query):
    rows = query(
        demo_build,
        "select f.title_tfidf_cosine, cast(l.is_match as integer)"
        " from int_catalog_pair_features f join stg_match_labels l using (offer_id, product_id)"
        " where l.split = 'test'",
    )
    similarity, labels = (np.array(col, dtype=float) for col in zip(*rows, strict=True))
    row = metrics_row(demo_build, query, "baseline_title_tfidf")
    assert row["average_precision"] == pytest.approx(
        average_precision_score(labels, similarity), abs=1e-8
    )


def test_matcher_clears_its_floor_and_beats_the_baseline(demo_build, query):
    matcher = metrics_row(demo_build, query, "matcher_test_labels")
    baseline = metrics_row(demo_build, query, "baseline_title_tfidf")
    assert matcher["f1"] >= MATCHER_F1_FLOOR
    assert matcher["f1"] >= baseline["f1"] + MATCHER_MARGIN_OVER_BASELINE


def test_metadata_inference_clears_its_floor_out_of_fold(demo_build, query):
    predictions = pd.DataFrame(
        query(
            demo_build,
            "select attribute, actual_value, predicted_value from ml_metadata_predictions"
            " where is_out_of_fold",
        ),
        columns=["attribute", "actual", "predicted"],
    )
    evaluation = {
        attribute: (accuracy, above_bar)
        for attribute, accuracy, above_bar in query(
            demo_build,
            "select attribute, accuracy, accuracy_above_bar from eval_metadata_inference",
        )
    }
    assert set(evaluation) == set(METADATA_ACCURACY_FLOOR)
    for attribute, floor in METADATA_ACCURACY_FLOOR.items():
        rows = predictions[predictions["attribute"] == attribute]
        accuracy, above_bar = evaluation[attribute]
        assert accuracy == pytest.approx((rows["actual"] == rows["predicted"]).mean(), abs=1e-12)
        majority_share = rows["actual"].value_counts(normalize=True).iloc[0]
        assert accuracy >= floor > majority_share, attribute
        assert above_bar >= METADATA_ABOVE_BAR_FLOOR, attribute


def test_blocking_is_capped_per_offer_and_keeps_true_matches(demo_build, query):
    (pairs_per_offer, reduction, labelled, true) = query(
        demo_build,
        "select pairs_per_offer, reduction_ratio, labelled_pair_completeness, true_pair_completeness"
        " from eval_blocking",
    )[0]
    (most,) = query(
        demo_build,
        "select max(c) from (select count(*) c from int_catalog_candidates group by offer_id)",
    )[0]
    assert most <= 20 and pairs_per_offer <= 20
    assert reduction > 0.95 and labelled > 0.97 and true > 0.97


def write_demo_files(
    folder: Path, scale: float = 0.05, keep: dict[str, list[str]] | None = None
) -> Path:
    """The demo's raw tables as CSV files (optionally only some columns of some tables)."""
    folder.mkdir(parents=True, exist_ok=True)
    for table in RAW_TABLES:
        frame = generate(table, scale=scale).read_pandas()
        if keep and table in keep:
            frame = frame[keep[table]]
        frame.to_csv(folder / f"{table}.csv", index=False)
    return folder


def files_vars(folder: Path) -> str:
    return "{raw_source: files, raw_data_path: '" + str(folder) + "'}"


@pytest.fixture(scope="module")
def review_loop(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = write_demo_files(tmp_path_factory.mktemp("raw"))
    workdir = tmp_path_factory.mktemp("review_loop")
    result = run_dbt(["build", "-s", *CATALOG_MODELS, "--vars", files_vars(folder)], workdir)
    assert result.returncode == 0, result.stdout[-5000:]
    return folder, workdir


def test_an_override_flips_the_decision_and_a_label_joins_training(review_loop, query):
    folder, workdir = review_loop
    offer, model_product = query(
        workdir,
        "select offer_id, product_id from fct_offer_matches"
        " where decision = 'matched' and decision_source = 'model' order by offer_id limit 1",
    )[0]
    (other,) = query(
        workdir, f"select min(product_id) from stg_products where product_id != '{model_product}'"
    )[0]
    (training_rows,) = query(workdir, "select count(*) from int_catalog_training_pairs")[0]

    overrides = pd.read_csv(folder / "match_overrides.csv", dtype=str)
    override = {
        "offer_id": offer,
        "product_id": other,
        "reviewer": "test",
        "reason": "flip",
        "created_at": "2026-10-31 12:00:00",
    }
    pd.concat([overrides, pd.DataFrame([override])]).to_csv(
        folder / "match_overrides.csv", index=False
    )
    labels = pd.read_csv(folder / "match_labels.csv", dtype=str)
    label = {
        "offer_id": offer,
        "product_id": other,
        "is_match": "1",
        "split": "train",
        "labeled_at": "2026-10-31 12:00:00",
    }
    pd.concat([labels, pd.DataFrame([label])]).to_csv(folder / "match_labels.csv", index=False)

    result = run_dbt(["build", "-s", *CATALOG_MODELS, "--vars", files_vars(folder)], workdir)
    assert result.returncode == 0, result.stdout[-5000:]
    after = query(
        workdir,
        f"select product_id, decision, decision_source from fct_offer_matches where offer_id = '{offer}'",
    )
    assert after == [(other, "matched", "override")]
    (training_after,) = query(workdir, "select count(*) from int_catalog_training_pairs")[0]
    assert training_after == training_rows + 1


def test_titles_and_prices_alone_still_build_and_score(tmp_path, query):
    keep = {
        "products": ["product_id", "title", "price"],
        "offers": ["offer_id", "merchant_id", "title", "price"],
    }
    folder = write_demo_files(tmp_path / "raw", keep=keep)
    workdir = tmp_path / "w"
    result = run_dbt(["build", "-s", *CATALOG_MODELS, "--vars", files_vars(folder)], workdir)
    assert result.returncode == 0, result.stdout[-5000:]
    decisions = dict(
        query(workdir, "select decision_source, count(*) from fct_offer_matches group by 1")
    )
    assert decisions.get("model", 0) > 0
    (scored,) = query(
        workdir, "select count(*) from ml_matcher_scores where match_score is not null"
    )[0]
    assert scored > 0
