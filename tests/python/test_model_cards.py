"""Model cards (catalog_ml.model_cards): rendering from DataFrames, and one tiny warehouse."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from catalog_ml import model_cards as mc

REGISTRY_COLUMNS = [
    "model_name",
    "model_version",
    "trained_at",
    "feature_names_json",
    "training_rows",
    "holdout_metric_name",
    "holdout_metric",
    "metrics_json",
    "previous_champion_version",
    "previous_champion_holdout_metric",
    "is_promoted",
    "promotion_reason",
    "pinned_version",
    "is_champion",
]


def registry(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=REGISTRY_COLUMNS)
    frame["trained_at"] = pd.to_datetime(frame["trained_at"])
    return frame


# Three versions: v1 first (promoted), v2 loses to v1 (0.80 vs 0.81), v3 beats v2's champion
# v1 (0.90 vs 0.80 re-scored on the same holdout) and is the champion.
VERSIONS = registry(
    [
        ("m", "v1", "2026-01-01 10:00", '["f_a", "f_b"]', 100, "ap on valid", 0.81, None, None, None, True, "first version of this model", None, False),
        ("m", "v2", "2026-01-02 10:00", '["f_a", "f_b"]', 110, "ap on valid", 0.80, None, "v1", 0.81, False, "does not beat the champion by 0.002", None, False),
        ("m", "v3", "2026-01-03 10:00", '["f_b", "f_a"]', 120, "ap on valid", 0.90, '{"valid_rows": 40}', "v1", 0.80, True, "beats the champion by 0.1", None, True),
    ]
)  # fmt: skip

MANIFEST = {
    "nodes": {
        "model.p.ml_m_train": {
            "resource_type": "model",
            "name": "ml_m_train",
            "config": {
                "meta": {
                    "model_card": {
                        "intended_use": "Scores <b>pairs</b> for the review queue.",
                        "known_limits": ["Small segments are noisy.", "Cold start is not covered."],
                    }
                }
            },
            "depends_on": {"nodes": ["model.p.training_rows"]},
            "columns": {},
        },
        "model.p.training_rows": {
            "resource_type": "model",
            "name": "training_rows",
            "depends_on": {"nodes": ["model.p.features"]},
            "columns": {"f_a": {"description": "Feature a,\n  from the parent."}},
        },
        "model.p.features": {
            "resource_type": "model",
            "name": "features",
            "depends_on": {"nodes": []},
            "columns": {
                "f_a": {"description": "Feature a from the grandparent (shadowed)."},
                "f_b": {"description": "Feature b from the grandparent."},
            },
        },
    }
}


def card_data(**overrides) -> mc.CardData:
    data = mc.CardData(
        model_name="m",
        versions=VERSIONS,
        trainer="ml_m_train",
        model_card_meta=mc.model_card_meta(MANIFEST, "ml_m_train"),
        feature_descriptions=mc.feature_descriptions(MANIFEST, "ml_m_train"),
        training=pd.DataFrame(
            {
                "from_at": [pd.Timestamp("2025-12-01 08:30")],
                "to_at": [pd.Timestamp("2025-12-31 23:59")],
                "training_table_rows": [120],
                "positives": [30.0],
            }
        ),
        training_columns={
            "from_at": "first",
            "to_at": "last",
            "training_table_rows": "rows",
            "positives": "positives",
        },
        metrics_overall=pd.DataFrame(
            {"evaluation": ["test"], "model_version": ["v3"], "f1": [0.875]}
        ),
        metrics_by_segment=pd.DataFrame(
            {
                "segment": ["a", "b"],
                "model_version": ["v3", "v3"],
                "evaluated_rows": [30.0, 10.0],
                "f1": [0.9, 1.0],
            }
        ),
        drift=pd.DataFrame(
            {
                "model_version": ["v3", "v3"],
                "feature_name": ["f_a", "f_b"],
                "value_kind": ["feature", "feature"],
                "reference_rows": [5, 5],
                "q0": [1.0, 0.0],
                "q50": [3.0, 0.5],
                "psi": [0.3, 0.01],
                "status": ["error", "pass"],
                "message": ["PSI 0.3 >= error threshold 0.25", "PSI 0.01 < warn threshold 0.1"],
            }
        ),
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


def section(markdown: str, heading: str) -> str:
    """The text under `## heading` up to the next `## `."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", markdown, flags=re.M | re.S)
    assert match, f"no section {heading}"
    return match.group(1)


def table_rows(text: str, first_cell: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip("|").split(" | ")]
        for line in text.splitlines()
        if line.startswith(f"| {first_cell} |")
    ]


def test_champion_and_reasons() -> None:
    assert mc.champion(VERSIONS)["model_version"] == "v3"
    none_promoted = VERSIONS.assign(is_promoted=False, is_champion=False)
    assert mc.champion(none_promoted) is None
    assert mc.no_champion_reason(none_promoted) == "3 version(s) registered, none promoted"
    pinned = VERSIONS.assign(is_champion=False, pinned_version="v9")
    assert mc.no_champion_reason(pinned) == "pinned version v9 is not in the registry"
    assert mc.no_champion_reason(VERSIONS.iloc[0:0]) == "no version registered"


def test_card_has_every_section_in_order() -> None:
    markdown = mc.render_card(card_data())
    headings = re.findall(r"^## (.+)$", markdown, flags=re.M)
    assert headings == list(mc.SECTIONS)


def test_card_numbers() -> None:
    markdown = mc.render_card(card_data())
    assert "Champion version `v3`, trained 2026-01-03 10:00 UTC" in markdown
    metrics = section(markdown, "Holdout metrics")
    assert "Promotion metric (ap on valid): **0.9000**." in metrics
    assert "| valid_rows | 40 |" in metrics  # metrics_json of the champion
    assert table_rows(metrics, "test") == [["test", "v3", "0.8750"]]
    assert table_rows(metrics, "a") == [["a", "v3", "30", "0.9000"]]
    assert "Warning" not in metrics

    training = section(markdown, "Training data")
    assert "(registry training_rows): 120." in training
    assert "| first | 2025-12-01 08:30 |" in training
    assert "Positive share: 0.2500." in training  # 30 / 120
    assert "latest registered version" not in training  # v3 is the latest and the champion


def test_version_history_by_hand() -> None:
    history = section(mc.render_card(card_data()), "Version history")
    assert "3 version(s) registered, 2 promoted." in history
    v1, v2, v3 = (table_rows(history, v)[0] for v in ("v1", "v2", "v3"))
    # version, trained at, rows, metric, challenged, champion's metric, change, promoted, why, now
    assert v1[2:8] == ["100", "0.8100", "n/a", "n/a", "n/a", "yes"]
    assert v2[3:8] == ["0.8000", "v1", "0.8100", "-0.0100", "no"]  # 0.80 - 0.81
    assert v2[8] == "does not beat the champion by 0.002"
    assert v3[3:8] == ["0.9000", "v1", "0.8000", "0.1000", "yes"]  # 0.90 - 0.80
    assert [v1[9], v2[9], v3[9]] == ["", "", "**champion**"]


def test_features_and_prose_come_from_the_manifest() -> None:
    markdown = mc.render_card(card_data())
    features = section(markdown, "Features")
    # model order of the champion v3 (f_b first); the nearest parent's description wins.
    assert table_rows(features, "1") == [["1", "f_b", "Feature b from the grandparent."]]
    assert table_rows(features, "2") == [["2", "f_a", "Feature a, from the parent."]]
    assert "Scores <b>pairs</b> for the review queue." in section(markdown, "Intended use")
    limits = section(markdown, "Known limits")
    assert "- Small segments are noisy.\n- Cold start is not covered." in limits


def test_drift_table_and_flags() -> None:
    drift = section(mc.render_card(card_data()), "Drift baseline")
    assert table_rows(drift, "f_a")[0][:4] == ["f_a", "feature", "5", "1.0000"]
    assert "| f_a | feature | 5 | 1.0000 | 3.0000 | 0.3000 | error |" in drift
    assert "- `f_a` (error): PSI 0.3 >= error threshold 0.25" in drift
    assert "`f_b` (pass)" not in drift


def test_missing_inputs_are_said_not_fatal() -> None:
    data = card_data(
        model_card_meta=mc.model_card_meta(None, "ml_m_train"),
        feature_descriptions=mc.feature_descriptions(None, "ml_m_train"),
        training="int_x not in the warehouse",
        metrics_by_segment="eval_y not in the warehouse",
        drift="mon_feature_drift not in the warehouse",
    )
    markdown = mc.render_card(data)
    assert "_Not available: no dbt manifest (run `dbt parse` or `dbt build` first)._" in section(
        markdown, "Intended use"
    )
    assert "_Not available: int_x not in the warehouse._" in section(markdown, "Training data")
    assert "_Not available: eval_y not in the warehouse._" in section(markdown, "Holdout metrics")
    assert "_Not available: mon_feature_drift not in the warehouse._" in section(
        markdown, "Drift baseline"
    )
    assert table_rows(section(markdown, "Features"), "1") == [["1", "f_b", ""]]
    assert (
        mc.model_card_meta({"nodes": {}}, "ml_m_train")
        == "model ml_m_train is not in the dbt manifest"
    )


def test_evaluation_of_another_version_is_flagged() -> None:
    other = pd.DataFrame({"evaluation": ["test"], "model_version": ["v2"], "f1": [0.5]})
    metrics = section(mc.render_card(card_data(metrics_overall=other)), "Holdout metrics")
    assert "Warning: the overall evaluation evaluated version v2, not the champion v3." in metrics


def test_champion_older_than_latest_version_is_flagged() -> None:
    versions = VERSIONS.assign(is_champion=[True, False, False])
    training = section(mc.render_card(card_data(versions=versions)), "Training data")
    assert "The latest registered version is v3, not the champion" in training


def test_html_is_rendered_from_the_markdown() -> None:
    markdown = mc.render_card(card_data())
    page = mc.to_html(markdown, "Model card: m")
    assert page.startswith("<!doctype html>") and "<title>Model card: m</title>" in page
    pipe_tables = len(re.findall(r"^\|---", markdown, flags=re.M))
    assert pipe_tables == 7  # training, features, metrics_json, overall, segment, drift, history
    assert page.count("<table>") == pipe_tables
    for heading in mc.SECTIONS:
        assert f"<h2>{heading}</h2>" in page
    assert "<td>-0.0100</td>" in page
    assert "&lt;b&gt;pairs&lt;/b&gt;" in page and "<b>pairs</b>" not in page  # prose is escaped


def test_index_lists_cards_and_models_without_champion(tmp_path: Path) -> None:
    lost = VERSIONS.assign(model_name="lost", is_promoted=False, is_champion=False)
    (tmp_path / "lost.md").write_text("an old card")  # a stale card goes away
    written = mc.write_cards([("m", card_data()), ("lost", mc.CardData("lost", lost))], tmp_path)
    assert sorted(p.name for p in written) == ["index.html", "index.md", "m.html", "m.md"]
    assert not (tmp_path / "lost.md").exists()
    index = (tmp_path / "index.md").read_text()
    assert (
        "| m | `v3` | 2026-01-03 10:00 | ap on valid: 0.9000 | [Markdown](m.md) · [HTML](m.html) |"
        in index
    )
    assert "- lost: no champion: no card (3 version(s) registered, none promoted)." in index
    assert '<a href="m.html">HTML</a>' in (tmp_path / "index.html").read_text()
    with pytest.raises(ValueError, match="none promoted"):
        mc.render_card(mc.CardData("lost", lost))


def test_tiny_warehouse_end_to_end(tmp_path: Path) -> None:
    """main() on a warehouse with a matcher champion, no ranker and no evaluation tables."""
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.register(
            "versions", VERSIONS.assign(model_name="matcher", trainer_model="ml_matcher_train")
        )
        con.execute("create table mon_model_registry as select * from versions")
        con.execute(
            """
            create table stg_match_labels as select * from (values
                ('o1', 'p1', true, 'train', timestamp '2026-01-05 00:00'),
                ('o1', 'p2', false, 'train', timestamp '2026-01-01 12:00'),
                ('o2', 'p3', true, 'train', timestamp '2026-01-09 06:00'),
                ('o3', 'p4', true, 'valid', timestamp '2026-02-01 00:00')
            ) as t(offer_id, product_id, is_match, split, labeled_at)
            """
        )
        con.execute(
            """
            create table int_catalog_training_pairs as
            select split, cast(is_match as integer) as is_match, offer_id, product_id
            from stg_match_labels
            """
        )
        # Feature f_a: reference 1..5 (and a null), so quantile_cont gives min 1, p10
        # 1 + 0.4 = 1.4, p25 2, median 3, p75 4, p90 4.6, max 5; window rows are ignored.
        con.execute(
            """
            create table mon_feature_drift_inputs as
            select 'matcher' as model_name, 'v3' as model_version, 'f_a' as feature_name,
                'feature' as value_kind, population, observed_value
            from (values ('reference', 1.0), ('reference', 2.0), ('reference', 3.0),
                ('reference', 4.0), ('reference', 5.0), ('reference', null),
                ('window', 100.0)) as t(population, observed_value)
            """
        )
        con.execute(
            """
            create table mon_feature_drift as select 'matcher' as model_name, 'v3' as model_version,
                'f_a' as feature_name, 'feature' as value_kind, 6 as reference_rows,
                1 as window_rows, 1.0 / 6 as reference_null_share, 0.0 as window_null_share,
                5 as reference_distinct_values, 9.5 as psi, 'error' as status, 'PSI 9.5' as message
            """
        )
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"nodes": {}}))
    out = tmp_path / "cards"

    assert mc.main([str(path), "--out", str(out), "--manifest", str(manifest)]) == 0

    assert sorted(p.name for p in out.iterdir()) == [
        "index.html",
        "index.md",
        "matcher.html",
        "matcher.md",
    ]
    card = (out / "matcher.md").read_text()
    training = section(card, "Training data")
    assert "| first train label (labeled_at) | 2026-01-01 12:00 |" in training
    assert "| last train label (labeled_at) | 2026-01-09 06:00 |" in training
    assert "| labelled train pairs (int_catalog_training_pairs) | 3 |" in training
    assert "| of which matches | 2 |" in training
    assert "| distinct offers | 2 |" in training
    assert "Positive share: 0.6667." in training
    # min, p10, p25, median, p75, p90, max of 1..5, then window rows, PSI, status
    drift = section(card, "Drift baseline")
    expected = "| f_a | feature | 6 | 0.1667 | 1.0000 | 1.4000 | 2.0000 | 3.0000 | 4.0000 | 4.6000 | 5.0000 | 1 | 9.5000 | error |"
    assert expected in drift
    metrics = section(card, "Holdout metrics")
    assert "_Not available: eval_matcher_metrics not in the warehouse._" in metrics
    assert "_Not available: eval_matcher_segment_metrics not in the warehouse._" in metrics
    assert "_Not available: model ml_matcher_train is not in the dbt manifest._" in section(
        card, "Intended use"
    )
    index = (out / "index.md").read_text()
    assert "- recs_ranker: no champion: no card (no version registered)." in index


def test_missing_warehouse_or_registry_fails_with_a_message(tmp_path: Path, capsys) -> None:
    assert mc.main([str(tmp_path / "absent.duckdb"), "--out", str(tmp_path / "o")]) == 1
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    assert mc.main([str(empty), "--out", str(tmp_path / "o")]) == 1
    assert "mon_model_registry is not in the warehouse" in capsys.readouterr().err
