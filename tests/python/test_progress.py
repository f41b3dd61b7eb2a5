"""catalog_ml.progress: the line a batched model logs after each batch, and where it goes."""

from __future__ import annotations

import logging

import pandas as pd

from catalog_ml.progress import LOGGER, PACKAGE_LOGGER, attach_dbt_logging, logged_batches


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_each_batch_logs_rows_read_batch_of_n_rate_and_elapsed():
    ticks = iter([100.0, 102.0, 104.0, 105.0])
    frames = [pd.DataFrame({"x": range(n)}) for n in (400_000, 400_000, 200_000)]
    records = Records()
    LOGGER.addHandler(records)
    try:
        out = list(logged_batches(frames, "scores", 1_000_000, 400_000, clock=lambda: next(ticks)))
    finally:
        LOGGER.removeHandler(records)
    assert [len(f) for f in out] == [400_000, 400_000, 200_000]  # the frames, unchanged
    assert records.lines == [
        "scores: batch 1 of 3, 400,000 of 1,000,000 rows read, 200,000 rows/s, 2.0 s elapsed",
        "scores: batch 2 of 3, 800,000 of 1,000,000 rows read, 200,000 rows/s, 4.0 s elapsed",
        "scores: batch 3 of 3, 1,000,000 of 1,000,000 rows read, 200,000 rows/s, 5.0 s elapsed",
    ]


def test_unknown_batch_size_or_total_leaves_them_out():
    ticks = iter([0.0, 0.0])
    records = Records()
    LOGGER.addHandler(records)
    try:
        list(logged_batches([pd.DataFrame({"x": [1, 2]})], "t", None, None, lambda: next(ticks)))
    finally:
        LOGGER.removeHandler(records)
    assert records.lines == ["t: batch 1, 2 rows read, - rows/s, 0.0 s elapsed"]


def test_dbt_logging_is_attached_once_to_the_package_logger():
    from dbt_common.events.event_handler import DbtEventLoggingHandler

    attach_dbt_logging()
    attach_dbt_logging()
    package = logging.getLogger(PACKAGE_LOGGER)
    attached = [h for h in package.handlers if isinstance(h, DbtEventLoggingHandler)]
    assert len(attached) == 1 and package.level == logging.INFO
