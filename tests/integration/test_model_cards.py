"""Model cards on the demo warehouse: `python -m catalog_ml.model_cards` writes one card per
champion (Markdown and HTML) whose numbers are the registry's and evaluations', with every
section present, and an index that lists them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from catalog_ml.model_cards import SECTIONS


@pytest.fixture(scope="module")
def cards(demo_build: Path) -> Path:
    out = demo_build / "model_cards"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    command = [sys.executable, "-m", "catalog_ml.model_cards", str(demo_build / "warehouse.duckdb")]
    command += ["--out", str(out), "--manifest", str(demo_build / "target" / "manifest.json")]
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return out


def section(markdown: str, heading: str) -> str:
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", markdown, flags=re.M | re.S)
    assert match, f"no section {heading}"
    return match.group(1)


def test_one_card_per_champion_with_the_registry_metric(
    demo_build: Path, query, cards: Path
) -> None:
    champions = query(
        demo_build,
        "select model_name, model_version, holdout_metric_name, holdout_metric"
        " from mon_model_registry where is_champion order by model_name",
    )
    assert [name for name, *_ in champions] == ["matcher", "metadata", "recs_ranker"]
    index = (cards / "index.md").read_text()
    for name, version, metric_name, metric in champions:
        markdown = (cards / f"{name}.md").read_text()
        assert re.findall(r"^## (.+)$", markdown, flags=re.M) == list(SECTIONS)
        assert f"Champion version `{version}`" in markdown
        shown = re.search(
            rf"^Promotion metric \({re.escape(metric_name)}\): \*\*([0-9.]+)\*\*\.$",
            section(markdown, "Holdout metrics"),
            flags=re.M,
        )
        assert shown, f"{name}: no promotion metric line"
        assert float(shown.group(1)) == pytest.approx(metric, abs=5e-5)
        assert "Not available" not in markdown, f"{name}: a section lacks its table"
        assert "Warning" not in markdown, f"{name}: an evaluation or monitor is of another version"
        page = (cards / f"{name}.html").read_text()
        for heading in SECTIONS:
            assert f"<h2>{heading}</h2>" in page
        assert page.count("<table>") >= 6
        assert f"[Markdown]({name}.md) · [HTML]({name}.html)" in index


def test_every_declared_model_has_a_champion_card_skew_and_drift(
    demo_build: Path, query, cards: Path
) -> None:
    """Each model of the descriptor (macro ml_models: mon_health_summary checks one champion
    per declared model) is registered, carded and monitored on the demo build."""
    declared = {
        name
        for (name,) in query(
            demo_build, "select subject from mon_health_summary where check_name = 'one_champion'"
        )
    }
    assert declared == {"matcher", "metadata", "recs_ranker"}
    for name in sorted(declared):
        champions = query(
            demo_build,
            f"select trainer_model from mon_model_registry where is_champion and model_name = '{name}'",
        )
        assert len(champions) == 1, name
        assert (cards / f"{name}.md").exists() and (cards / f"{name}.html").exists(), name
        ((compared,),) = query(
            demo_build,
            "select coalesce(min(compared_rows), 0) from mon_training_serving_skew"
            f" where model_name = '{name}'",
        )
        assert compared > 0, f"{name}: a feature without skew comparisons"
        kinds = query(
            demo_build,
            f"select distinct value_kind from mon_feature_drift where model_name = '{name}'",
        )
        assert sorted(kind for (kind,) in kinds) == ["feature", "score"], name
        statuses = query(
            demo_build,
            "select distinct status from mon_health_summary"
            f" where subject = '{name}' or subject like '{name}.%'",
        )
        assert "not_applicable" not in {status for (status,) in statuses}, name


def test_card_tables_have_a_row_per_warehouse_row(demo_build: Path, query, cards: Path) -> None:
    counts = {
        (
            "matcher",
            "Version history",
        ): "select count(*) from mon_model_registry where model_name = 'matcher'",
        (
            "matcher",
            "Drift baseline",
        ): "select count(*) from mon_feature_drift where model_name = 'matcher'",
        ("matcher", "Holdout metrics"): "select count(*) + 2 from eval_matcher_segment_metrics",
        (
            "recs_ranker",
            "Version history",
        ): "select count(*) from mon_model_registry where model_name = 'recs_ranker'",
        (
            "recs_ranker",
            "Drift baseline",
        ): "select count(*) from mon_feature_drift where model_name = 'recs_ranker'",
        ("recs_ranker", "Holdout metrics"): "select count(*) from eval_ranking_metrics",
    }
    # Holdout metrics: the matcher's overall table has eval_matcher_metrics' 3 rows and its
    # segment table the segments except 'all' (3 - 1 = 2 more than the segment model); the
    # ranker's overall and segment tables split eval_ranking_metrics between them.
    assert query(demo_build, "select count(*) from eval_matcher_metrics") == [(3,)]
    for (name, heading), sql in counts.items():
        text = section((cards / f"{name}.md").read_text(), heading)
        if heading == "Holdout metrics":
            text = text.split("### Overall", 1)[1]  # skip the registry's metrics_json table
        rows = [
            line
            for line in text.splitlines()
            if line.startswith("| ") and not line.startswith("| | |")
        ]
        tables = len([line for line in text.splitlines() if line.startswith("|---")])
        assert len(rows) - tables == query(demo_build, sql)[0][0], f"{name}: {heading}"


def test_matcher_segment_all_row_repeats_eval_matcher_metrics(demo_build: Path, query) -> None:
    columns = "model_version, threshold, evaluated_rows, positives, true_positives, false_positives, f1, average_precision"
    overall = query(
        demo_build,
        f"select {columns} from eval_matcher_metrics where evaluation = 'matcher_test_labels'",
    )
    segment_all = query(
        demo_build,
        f"select {columns} from eval_matcher_segment_metrics where product_category = 'all'",
    )
    assert segment_all[0][:6] == overall[0][:6]
    assert segment_all[0][6:] == pytest.approx(overall[0][6:])
    parts = query(
        demo_build,
        "select sum(evaluated_rows), sum(positives) from eval_matcher_segment_metrics where product_category != 'all'",
    )
    assert parts[0] == overall[0][2:4]
