"""Progress of a Python model that works through a table in batches: rows read, batch i of n,
rows per second and elapsed time, logged with the standard `logging` module (logger
`catalog_ml.progress`).

Where the lines go: dbt-duckdb runs Python models inside the dbt process, whose output does
not show plain `logging` records, so the package's logger is attached to dbt's event stream
(dbt_common's DbtEventLoggingHandler, as a "Note" at info level: `dbt build` prints it, and
logs/dbt.log keeps it). On Snowflake a Python model runs in a stored procedure without dbt;
there the records go to the account's event table when one is set (LOG_LEVEL INFO on the
procedure's database or account), and nothing is attached.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterable, Iterator

import pandas as pd

PACKAGE_LOGGER = "catalog_ml"
LOGGER = logging.getLogger(f"{PACKAGE_LOGGER}.progress")


def attach_dbt_logging() -> None:
    """Send the package's info records to dbt's output when dbt runs this process (no-op
    outside dbt, where dbt_common is not installed, and when already attached)."""
    try:
        from dbt_common.events import get_event_manager
        from dbt_common.events.event_handler import DbtEventLoggingHandler
    except ImportError:
        return
    logger = logging.getLogger(PACKAGE_LOGGER)
    if any(isinstance(handler, DbtEventLoggingHandler) for handler in logger.handlers):
        return
    logger.setLevel(logging.INFO)
    logger.addHandler(DbtEventLoggingHandler(event_manager=get_event_manager(), level=logging.INFO))
    logger.propagate = False


def logged_batches(
    frames: Iterable[pd.DataFrame],
    task: str,
    total_rows: int | None,
    batch_rows: int | None,
    clock: Callable[[], float] = time.perf_counter,
) -> Iterator[pd.DataFrame]:
    """The frames unchanged; after each one, a line such as `ml_matcher_scores: batch 2 of 5,
    1,000,000 of 2,400,000 rows read, 81,000 rows/s, 12.3 s elapsed` (batch_rows: the rows of
    a full batch, None when the engine sizes them; total_rows None when unknown)."""
    attach_dbt_logging()
    started = clock()
    batches = None
    if total_rows is not None and batch_rows:
        batches = max(1, math.ceil(total_rows / batch_rows))
    done = 0
    for index, frame in enumerate(frames, start=1):
        yield frame
        done += len(frame)
        elapsed = clock() - started
        LOGGER.info(progress_line(task, index, batches, done, total_rows, elapsed))


def progress_line(
    task: str, batch: int, batches: int | None, rows: int, total_rows: int | None, elapsed: float
) -> str:
    """One progress line (see logged_batches)."""
    of_batches = f" of {batches:,}" if batches is not None else ""
    of_rows = f" of {total_rows:,}" if total_rows is not None else ""
    rate = f"{rows / elapsed:,.0f} rows/s" if elapsed > 0 else "- rows/s"
    return (
        f"{task}: batch {batch:,}{of_batches}, {rows:,}{of_rows} rows read, {rate}, "
        f"{elapsed:.1f} s elapsed"
    )
