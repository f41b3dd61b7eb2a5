"""Served lists as impression events, appended to the events CSV of files mode.

The loop: the API shows a list, logs one `impression` row per item in the raw contract's
events shape (models/staging/_raw__sources.yml, raw table `events`), and the next build in
files mode (`--vars '{raw_source: files, raw_data_path: FOLDER}'`) reads FOLDER/events.csv
with them, so clicks joined to those impressions by request_id and position teach the
ranker what was shown.

- event_id `<request_id>:<position>`, user_id the application's id (raw data keeps raw
  ids; staging pseudonymises nothing, the marts do), event_ts the serving time in UTC
  (`...Z`), request_id, position (1-based), surface (home, pdp, ...), loaded_at when the
  file has that column; other columns empty.
- An existing events.csv keeps its header: rows are written in its column order. It must
  carry request_id, position and surface (else the logger refuses to start); a new file
  gets every column of the contract.
- Each response's rows go out in one write() on a file opened with O_APPEND, under an
  exclusive flock, so concurrent workers never interleave lines and a reader sees whole
  rows. Do not run a files-mode build of that folder while the API writes to it if the
  build must see a fixed set: copy the folder first (or stop logging).

Staging judges these rows like any other: an impression of an unknown user or product is
quarantined as `dangling_foreign_key`, not a build failure.
"""

from __future__ import annotations

import csv
import fcntl
import io
import os
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from catalog_ml.contract import CONTRACT_PATH, load_contract

NEEDED = ("event_id", "user_id", "product_id", "event_type", "event_ts")
LOOP_COLUMNS = ("request_id", "position", "surface")


def contract_event_columns(project_dir: Path) -> list[str]:
    """The events columns of the raw contract, in its order."""
    return load_contract(Path(project_dir) / CONTRACT_PATH)["events"].column_names


def _read_header(path: Path) -> list[str] | None:
    if not path.is_file() or path.stat().st_size == 0:
        return None
    with path.open(newline="", encoding="utf-8") as handle:
        return [name.strip().lower() for name in next(csv.reader(handle))]


class ImpressionLog:
    """Appends impression rows to one events CSV (thread- and process-safe)."""

    def __init__(self, path: Path, project_dir: Path) -> None:
        self.path = Path(path)
        contract = contract_event_columns(project_dir)
        header = _read_header(self.path)
        if header is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            header = contract
            self._append(self._csv([header]), header_only=True)
        unknown = [name for name in header if name not in contract]
        missing = [name for name in (*NEEDED, *LOOP_COLUMNS) if name not in header]
        if unknown or missing:
            raise ValueError(
                f"{self.path}: header {header} cannot take impression rows"
                + (f"; not in the raw contract: {unknown}" if unknown else "")
                + (f"; missing: {missing}" if missing else "")
            )
        self.columns = header
        self._lock = threading.Lock()
        self._ensure_trailing_newline()

    @staticmethod
    def _csv(rows: Sequence[Sequence[object]]) -> bytes:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        return buffer.getvalue().encode("utf-8")

    def _ensure_trailing_newline(self) -> None:
        with self.path.open("rb") as handle:
            handle.seek(-1, os.SEEK_END)
            last = handle.read(1)
        if last != b"\n":
            self._append(b"\n")

    def _append(self, data: bytes, header_only: bool = False) -> None:
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
        descriptor = os.open(self.path, flags, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            if header_only and os.fstat(descriptor).st_size > 0:
                return  # another process wrote the header first
            os.write(descriptor, data)
        finally:
            os.close(descriptor)  # releases the flock

    def log(
        self,
        request_id: str,
        user_id: str,
        product_ids: Sequence[str],
        surface: str,
        at: datetime | None = None,
    ) -> int:
        """Append one impression per product (position = index + 1); the rows written."""
        if not product_ids:
            return 0
        at = (at or datetime.now(UTC)).astimezone(UTC)
        stamp = at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"
        rows = []
        for position, product_id in enumerate(product_ids, start=1):
            values = {
                "event_id": f"{request_id}:{position}",
                "user_id": user_id,
                "product_id": product_id,
                "event_type": "impression",
                "event_ts": stamp,
                "request_id": request_id,
                "position": position,
                "surface": surface,
                "loaded_at": stamp,
            }
            rows.append([values.get(column, "") for column in self.columns])
        data = self._csv(rows)
        with self._lock:
            self._append(data)
        return len(rows)
