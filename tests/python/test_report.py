"""The report (catalog_ml.report), the headline (catalog_ml.headline) and the static docs page
(catalog_ml.docs) without a build: figures from small frames, pages from an empty warehouse,
the card injection on a tiny manifest."""

from __future__ import annotations

import json
import re

import duckdb
import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import calibration_curve

from catalog_ml import docs
from catalog_ml.browser import is_local
from catalog_ml.headline import as_text, headline
from catalog_ml.report import data, page, plots

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?(?:https?:)?//""")


def test_calibration_bins_match_sklearn():
    rng = np.random.default_rng(3)
    scores = np.concatenate([rng.uniform(size=200), [0.0, 0.1, 0.5, 1.0]])  # bin edges too
    labels = (rng.uniform(size=scores.size) < scores).astype(int)
    bins = data.calibration_bins(labels, scores, bins=10)
    share, mean = calibration_curve(labels, scores, n_bins=10, strategy="uniform")
    np.testing.assert_allclose(bins["match_share"], share)
    np.testing.assert_allclose(bins["mean_score"], mean)
    assert bins["pairs"].sum() == scores.size


def test_calibration_bins_by_hand():
    bins = data.calibration_bins(np.array([0, 1, 1, 0]), np.array([0.05, 0.05, 0.95, 0.95]), 2)
    assert bins.to_dict("list") == {
        "mean_score": [0.05, 0.95],
        "match_share": [0.5, 0.5],
        "pairs": [2, 2],
    }


def test_svg_is_inline_and_self_contained():
    frame = pd.DataFrame(
        {
            "source_name": ["popularity", "history"],
            "recall": [0.2, 0.4],
            "relevant_retrieved": [2, 4],
            "relevant_items": [10, 10],
            "candidates_per_user": [30.0, 25.0],
        }
    )
    svg = page.svg(plots.retrieval_recall(frame))
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "<!DOCTYPE" not in svg and "<metadata>" not in svg
    assert not EXTERNAL.search(svg)
    assert "0.400 (4/10, 25 per user)" in svg  # text stays text (svg.fonttype none)


def test_experiment_forest_lists_variants_without_an_estimate():
    frame = pd.DataFrame(
        {
            "experiment_id": ["E1", "E2"],
            "variant": ["b", "b"],
            "metric_name": ["ctr", "ctr"],
            "metric_role": ["primary", "primary"],
            "relative_lift": [0.05, np.nan],
            "relative_ci_low": [-0.01, np.nan],
            "relative_ci_high": [0.11, np.nan],
            "decision": ["inconclusive", "invalid_no_control"],
            "guardrail_status": ["pass", "pass"],
        }
    )
    svg = page.svg(plots.experiment_forest(frame))
    assert "no estimate: invalid_no_control" in svg and "E1 b · ctr (primary)" in svg


def test_an_empty_warehouse_gives_a_page_that_says_what_is_missing():
    con = duckdb.connect()
    html_text = page.render(con, "report", ":memory:")
    assert html_text.count('class="missing"') == len(page.SECTIONS)
    assert "not in this build: eval_matcher_pr_curve" in html_text
    assert "<svg" not in html_text and not EXTERNAL.search(html_text)
    text = as_text(headline(con))
    assert text.count("not applicable") == 3 and "no health checks" in text


def test_headline_compares_the_ranker_with_each_baseline():
    con = duckdb.connect()
    con.execute(
        "create table eval_ranking_metrics as select * from (values"
        " ('ranker', 'all', 10, 50, 0.30), ('ranker_before_reranking', 'all', 10, 50, 0.31),"
        " ('popularity', 'all', 10, 50, 0.10), ('source_covisitation', 'all', 10, 50, 0.20),"
        " ('ranker', 'new', 10, 5, 0.9))"
        " as t(method, user_segment, k, evaluated_users, ndcg_at_k)"
    )
    lines = headline(con)[1].lines
    assert lines[0] == "served ranker 0.300 (50 users)"
    assert [line.split()[1] for line in lines[1:]] == ["source_covisitation", "popularity"]
    assert lines[-1].endswith("(ranker +0.200)")


def test_is_local():
    assert is_local("file:///tmp/x.html") and is_local("data:image/png;base64,AA")
    assert is_local("http://127.0.0.1:8010/") and is_local("http://localhost/x")
    assert not is_local("https://cdn.jsdelivr.net/x.js") and not is_local("//fonts.gstatic.com")


MANIFEST = {
    "nodes": {
        "model.p.ml_matcher_train": {
            "resource_type": "model",
            "name": "ml_matcher_train",
            "description": "The matcher's registry rows.",
            "config": {
                "meta": {
                    "model_card": {"intended_use": "Scores pairs.", "known_limits": ["a", "b"]}
                }
            },
            "meta": {"model_card": {"intended_use": "Scores pairs.", "known_limits": ["a", "b"]}},
        },
        "model.p.other": {"resource_type": "model", "name": "other", "description": "x"},
    }
}


def test_cards_without_a_warehouse_keep_the_prose_and_say_why():
    cards = docs.card_markdown(MANIFEST, None)
    assert "Scores pairs." in cards["ml_matcher_train"] and "- b" in cards["ml_matcher_train"]
    assert "no warehouse was given" in cards["ml_matcher_train"]


def test_with_cards_appends_the_card_and_leaves_the_input_alone():
    before = json.dumps(MANIFEST, sort_keys=True)
    out = docs.with_cards(MANIFEST, {"ml_matcher_train": "# Model card\n\n## Intended use\n\nX"})
    node = out["nodes"]["model.p.ml_matcher_train"]
    assert node["description"].startswith("The matcher's registry rows.\n\n### Model card")
    assert "#### Intended use" in node["description"] and docs.REPORT_LINK in node["description"]
    assert node["config"]["meta"]["model_card"] == node["meta"]["model_card"]
    assert node["meta"]["model_card"] == "see the description"
    assert out["nodes"]["model.p.other"]["description"] == "x"
    assert json.dumps(MANIFEST, sort_keys=True) == before


def test_static_page_inlines_both_files_and_cannot_end_its_script_early():
    template = docs.docs_template()
    manifest = {"nodes": {}, "note": "</script><script>alert(1)</script>"}
    html_text = docs.static_page(template, manifest, '{"nodes": {}}')
    assert docs.MANIFEST_PLACEHOLDER not in html_text and docs.CATALOG_PLACEHOLDER not in html_text
    assert "</script><script>alert(1)" not in html_text and "<\\/script>" in html_text
    with pytest.raises(ValueError, match="placeholders"):
        docs.static_page("<html></html>", manifest, "{}")
