"""Reviewer decisions as raw rows (catalog_ml.review.decisions): what each action writes, the
contract checks before anything is written, and appending to existing raw files."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from catalog_ml.review.decisions import (
    LABELS,
    OVERRIDES,
    Decision,
    DecisionError,
    DecisionFolder,
    decision_rows,
)

REPO = Path(__file__).resolve().parents[2]
WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _decision(**changes) -> Decision:
    values = {
        "offer_id": "o1",
        "action": "accept",
        "product_id": "p1",
        "turned_down": ("p1", "p2", "p3"),
        "reviewer": "ana",
        "reason": "same model number",
        "split": "train",
        "decided_at": WHEN,
    }
    return Decision(**{**values, **changes})


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_accept_writes_an_override_and_a_positive_label_and_negatives_for_the_rest():
    rows = decision_rows(_decision())
    assert rows[OVERRIDES] == [
        {
            "offer_id": "o1",
            "product_id": "p1",
            "reviewer": "ana",
            "reason": "same model number",
            "created_at": "2026-01-02T03:04:05.000000Z",
            "loaded_at": "2026-01-02T03:04:05.000000Z",
        }
    ]
    assert [(r["product_id"], r["is_match"], r["split"]) for r in rows[LABELS]] == [
        ("p1", "1", "train"),
        ("p2", "0", "train"),
        ("p3", "0", "train"),
    ]


def test_reject_overrides_to_no_product_and_labels_every_shown_candidate_negative():
    rows = decision_rows(_decision(action="reject", product_id=None, split="test"))
    assert rows[OVERRIDES][0]["product_id"] is None
    assert {(r["product_id"], r["is_match"], r["split"]) for r in rows[LABELS]} == {
        ("p1", "0", "test"),
        ("p2", "0", "test"),
        ("p3", "0", "test"),
    }


def test_pick_a_product_outside_the_candidates():
    rows = decision_rows(_decision(action="pick", product_id="p9"))
    assert rows[OVERRIDES][0]["product_id"] == "p9"
    assert {(r["product_id"], r["is_match"]) for r in rows[LABELS]} == {
        ("p9", "1"),
        ("p1", "0"),
        ("p2", "0"),
        ("p3", "0"),
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"action": "maybe"}, "action 'maybe' is not one of accept, reject, pick"),
        ({"action": "reject"}, "reject means the offer matches no product"),
        ({"action": "pick", "product_id": " "}, "column 'product_id' is empty for pick"),
    ],
)
def test_malformed_decisions_are_refused(changes, message):
    with pytest.raises(DecisionError, match=message):
        decision_rows(_decision(**changes))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reviewer": ""}, r"match_overrides row 1 \(offer 'o1'\): column 'reviewer' is empty"),
        ({"reviewer": "x" * 501}, "column 'reviewer' value .* text_too_long"),
        ({"reason": "y" * 10001}, "column 'reason' value .* text_too_long"),
        ({"offer_id": " "}, "required column 'offer_id' is empty"),
        (
            {"split": "holdout"},
            "match_labels row 1 .* column 'split' value 'holdout' .* invalid_value",
        ),
        ({"decided_at": datetime.now(UTC) + timedelta(days=2)}, "column 'created_at' .* in_future"),
    ],
)
def test_rows_staging_would_reject_are_refused_and_nothing_is_written(tmp_path, changes, message):
    folder = DecisionFolder(tmp_path, REPO)
    before = {t: folder.path(t).read_text() for t in (OVERRIDES, LABELS)}
    with pytest.raises(DecisionError, match=message):
        folder.append(_decision(**changes))
    assert {t: folder.path(t).read_text() for t in (OVERRIDES, LABELS)} == before


def test_a_new_folder_gets_header_only_files_in_the_contract_columns(tmp_path):
    folder = DecisionFolder(tmp_path / "reviews", REPO)
    assert folder.path(OVERRIDES).read_text() == (
        "offer_id,product_id,reviewer,reason,created_at,loaded_at\n"
    )
    assert folder.path(LABELS).read_text() == (
        "offer_id,product_id,is_match,split,labeled_at,loaded_at\n"
    )


def test_appends_follow_an_existing_files_own_header_and_missing_last_newline(tmp_path):
    (tmp_path / "match_overrides.csv").write_text(
        "created_at,offer_id,product_id,reviewer,reason,loaded_at\n"
        '2025-01-01T00:00:00Z,o0,p0,bo,"old, quoted",',
        encoding="utf-8",
    )
    folder = DecisionFolder(tmp_path, REPO)
    folder.append(_decision(reason='says "same"'))
    rows = _rows(folder.path(OVERRIDES))
    assert [r["offer_id"] for r in rows] == ["o0", "o1"]
    assert rows[0]["reason"] == "old, quoted"
    assert rows[1]["reason"] == 'says "same"'
    assert rows[1]["created_at"] == "2026-01-02T03:04:05.000000Z"
    assert folder.latest_overrides()["o1"]["product_id"] == "p1"


def test_latest_override_per_offer_wins(tmp_path):
    folder = DecisionFolder(tmp_path, REPO)
    folder.append(_decision())
    folder.append(_decision(action="reject", product_id=None, decided_at=WHEN + timedelta(hours=1)))
    assert folder.latest_overrides()["o1"]["product_id"] == ""


def test_a_raw_file_without_a_column_a_decision_fills_is_an_error_naming_it(tmp_path):
    (tmp_path / "match_labels.csv").write_text("offer_id,product_id,is_match\n", encoding="utf-8")
    with pytest.raises(DecisionError, match=r"match_labels.csv: header has no column 'split'"):
        DecisionFolder(tmp_path, REPO)


def test_a_parquet_raw_table_is_an_error_naming_it(tmp_path):
    (tmp_path / "match_overrides.parquet").write_bytes(b"PAR1")
    with pytest.raises(DecisionError, match="appended to CSV files"):
        DecisionFolder(tmp_path, REPO)
