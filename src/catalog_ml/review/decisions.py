"""Reviewer decisions as raw rows: accept, reject or pick another product for one offer.

A decision becomes one match_overrides row (the product the offer is, or none: "matches
nothing") and match_labels rows (is_match 1 for the product chosen, 0 for the candidates the
reviewer turned down), in the raw data contract's columns. They are appended to
match_overrides.csv and match_labels.csv of one folder: the raw folder itself in files mode,
or any folder that dbt var review_data_path names (macros/raw/review_decisions.sql adds its
rows to the raw tables in every mode). Every row is checked against the contract as staging
checks it (catalog_ml.raw_values) before anything is written: bad input raises
DecisionError naming the table, column, value and reason, and the files are left as they
were.
"""

from __future__ import annotations

import csv
import io
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from catalog_ml.contract import RawTable, load_contract, load_limits
from catalog_ml.raw_values import clean_text, first_problem

OVERRIDES = "match_overrides"
LABELS = "match_labels"
ACTIONS = ("accept", "reject", "pick")
# Columns a decision fills; a raw file without one of them would lose it.
WRITTEN = {
    OVERRIDES: ("offer_id", "product_id", "reviewer", "reason", "created_at", "loaded_at"),
    LABELS: ("offer_id", "product_id", "is_match", "split", "labeled_at", "loaded_at"),
}


class DecisionError(ValueError):
    """A decision that cannot be recorded; the message names table, column, value, reason."""


@dataclass(frozen=True)
class Decision:
    """One reviewer decision on one offer.

    action: accept (the offer is product_id, the candidate shown), pick (the offer is
    product_id, another product) or reject (the offer matches nothing; product_id empty).
    turned_down: candidate products the reviewer saw and said the offer is not.
    split: the label split of the offer's existing labels (splits are by offer), else train.
    """

    offer_id: str
    action: str
    product_id: str | None
    turned_down: tuple[str, ...]
    reviewer: str
    reason: str | None
    split: str = "train"
    decided_at: datetime | None = None


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def decision_rows(decision: Decision) -> dict[str, list[dict[str, str | None]]]:
    """The raw rows of a decision by table (not yet checked: see check_rows)."""
    if decision.action not in ACTIONS:
        raise DecisionError(
            f"decision on offer {decision.offer_id!r}: action {decision.action!r} is not one of "
            f"{', '.join(ACTIONS)}"
        )
    product_id = clean_text(decision.product_id)
    if decision.action == "reject" and product_id is not None:
        raise DecisionError(
            f"decision on offer {decision.offer_id!r}: reject means the offer matches no product;"
            f" product_id must be empty, got {product_id!r} (use pick to choose a product)"
        )
    if decision.action != "reject" and product_id is None:
        raise DecisionError(
            f"{OVERRIDES}: column 'product_id' is empty for {decision.action} on offer"
            f" {decision.offer_id!r}: name the product the offer is"
        )
    when = _timestamp(decision.decided_at or datetime.now(UTC))
    override = {
        "offer_id": decision.offer_id,
        "product_id": product_id,
        "reviewer": decision.reviewer,
        "reason": decision.reason,
        "created_at": when,
        "loaded_at": when,
    }
    labelled = {p: "0" for p in decision.turned_down if clean_text(p) and p != product_id}
    if product_id is not None:
        labelled[product_id] = "1"
    labels = [
        {
            "offer_id": decision.offer_id,
            "product_id": product,
            "is_match": is_match,
            "split": decision.split,
            "labeled_at": when,
            "loaded_at": when,
        }
        for product, is_match in sorted(labelled.items())
    ]
    return {OVERRIDES: [override], LABELS: labels}


def check_rows(
    rows: dict[str, list[dict[str, str | None]]],
    tables: dict[str, RawTable],
    limits: dict[str, float],
    now: datetime | None = None,
) -> None:
    """Raise DecisionError for the first value staging would reject (required, type, length,
    accepted values, time), naming table, row, column and reason. A reviewer is required
    here (the contract allows none for loaded files; a decision made in the page has one)."""
    for table_name, table_rows in rows.items():
        for number, row in enumerate(table_rows, start=1):
            where = f"{table_name} row {number} (offer {row.get('offer_id')!r})"
            if table_name == OVERRIDES and clean_text(row.get("reviewer")) is None:
                raise DecisionError(f"{where}: column 'reviewer' is empty: say who decides")
            for column in tables[table_name].columns:
                text = clean_text(row.get(column.name))
                if column.required and text is None:
                    raise DecisionError(f"{where}: required column '{column.name}' is empty")
                problem = first_problem(text, column, limits, now)
                if problem:
                    shown = text if len(text or "") <= 80 else text[:77] + "..."
                    raise DecisionError(
                        f"{where}: column '{column.name}' value {shown!r} is rejected by the raw"
                        f" data contract: {problem}"
                    )


class DecisionFolder:
    """match_overrides.csv and match_labels.csv in one folder, appended to in the contract's
    CSV dialect (UTF-8, comma, double quotes, one header line). Existing files keep their
    own header (column order); a header without a column a decision fills, or a Parquet file
    in its place, is an error naming the file."""

    def __init__(self, folder: Path, project_dir: Path = Path(".")) -> None:
        self.folder = Path(folder)
        self.tables = load_contract(Path(project_dir) / "models" / "staging" / "_raw__sources.yml")
        self.limits = load_limits(project_dir)
        self._lock = threading.Lock()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.headers = {name: self._header(name) for name in WRITTEN}

    def path(self, table_name: str) -> Path:
        return self.folder / f"{table_name}.csv"

    def _header(self, table_name: str) -> list[str]:
        parquet = self.folder / f"{table_name}.parquet"
        if parquet.exists():
            raise DecisionError(
                f"{parquet}: decisions are appended to CSV files; this folder holds the"
                f" {table_name} table as Parquet. Point the review page and dbt var"
                " review_data_path at another folder."
            )
        path = self.path(table_name)
        if not path.exists() or path.stat().st_size == 0:
            header = self.tables[table_name].column_names
            path.write_text(",".join(header) + "\n", encoding="utf-8")
            return header
        with path.open(encoding="utf-8", newline="") as handle:
            header = [name.strip().lower() for name in next(csv.reader(handle), [])]
        missing = [name for name in WRITTEN[table_name] if name not in header]
        if missing:
            raise DecisionError(
                f"{path}: header has no column {', '.join(repr(m) for m in missing)}; a"
                f" decision fills them (header: {', '.join(header)}). Add the columns or use"
                " another folder for review_data_path."
            )
        return header

    def append(self, decision: Decision) -> dict[str, list[dict[str, str | None]]]:
        """Check the decision's rows, then append them; returns the rows written."""
        rows = decision_rows(decision)
        check_rows(rows, self.tables, self.limits)
        with self._lock:
            for table_name, table_rows in rows.items():
                self._append_rows(table_name, table_rows)
        return rows

    def _append_rows(self, table_name: str, rows: list[dict[str, str | None]]) -> None:
        path = self.path(table_name)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for row in rows:
            writer.writerow(
                ["" if row.get(c) is None else row[c] for c in self.headers[table_name]]
            )
        with path.open("rb+") as handle:
            handle.seek(0, io.SEEK_END)
            if handle.tell() > 0:
                handle.seek(-1, io.SEEK_END)
                if handle.read(1) not in (b"\n", b"\r"):
                    handle.write(b"\n")
            handle.write(buffer.getvalue().encode("utf-8"))

    def latest_overrides(self) -> dict[str, dict[str, str]]:
        """The latest override per offer in the folder (decisions the next build will read)."""
        with self.path(OVERRIDES).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        latest: dict[str, dict[str, str]] = {}
        for row in rows:
            row = {k.strip().lower(): v for k, v in row.items() if k is not None}
            offer = clean_text(row.get("offer_id"))
            if offer and (
                offer not in latest or (row.get("created_at") or "") >= latest[offer]["created_at"]
            ):
                latest[offer] = {**row, "created_at": row.get("created_at") or ""}
        return latest
