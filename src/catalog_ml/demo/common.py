"""Shared plumbing of the demo generator: seeded randomness, timestamps, Arrow batches."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator, Mapping

import numpy as np
import pyarrow as pa

DEMO_END = np.datetime64("2026-11-01T00:00:00", "s")
DEMO_DAYS = 90
DEMO_START = DEMO_END - np.timedelta64(DEMO_DAYS, "D")


def rng_for(seed: int, purpose: str, chunk: int = 0) -> np.random.Generator:
    """Independent, reproducible stream per (seed, purpose, chunk): tables and chunks agree
    with each other whatever order they are generated in."""
    return np.random.default_rng(
        np.random.SeedSequence([seed, zlib.crc32(purpose.encode()), chunk])
    )


def timestamps(
    rng: np.random.Generator, n: int, start: np.datetime64, end: np.datetime64
) -> np.ndarray:
    """n uniform timestamps in [start, end), as datetime64[s]."""
    span = int((end - start) / np.timedelta64(1, "s"))
    return start + rng.integers(0, span, n).astype("timedelta64[s]")


def as_text(values: np.ndarray) -> np.ndarray:
    """datetime64 -> 'YYYY-MM-DD HH:MM:SS'; anything else -> str."""
    if np.issubdtype(values.dtype, np.datetime64):
        return np.char.replace(np.datetime_as_string(values.astype("datetime64[s]")), "T", " ")
    return values.astype(str)


def text_batch(columns: Mapping[str, Iterable], names: list[str]) -> pa.RecordBatch:
    """A raw batch: every column text, '' and None both written as null."""
    arrays = []
    for name in names:
        values = [None if v is None or v == "" else str(v) for v in columns[name]]
        arrays.append(pa.array(values, type=pa.string()))
    return pa.RecordBatch.from_arrays(arrays, names=names)


def reader(schema: pa.Schema, batches: Iterator[pa.RecordBatch]) -> pa.RecordBatchReader:
    return pa.RecordBatchReader.from_batches(schema, batches)


def text_schema(names: list[str]) -> pa.Schema:
    return pa.schema([(name, pa.string()) for name in names])
