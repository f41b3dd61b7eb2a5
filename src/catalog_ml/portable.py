"""The one place that knows which engine runs a dbt Python model.

dbt-duckdb hands a model a DuckDB connection and accepts Arrow data (streamed from a
RecordBatchReader, so large outputs never sit in memory whole); dbt-snowflake hands
it a Snowpark session and writes a pandas DataFrame, whose column names Snowflake
wants upper-case.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pandas as pd
import pyarrow as pa


def is_duckdb(session: Any) -> bool:
    """True unless the session is Snowpark's: dbt-duckdb hands models a DuckDB connection,
    or its own wrapper around one (dbt.adapters.duckdb), so Snowpark is what is detected."""
    return not type(session).__module__.startswith("snowflake.")


def to_pandas(relation: Any, order_by: Sequence[str] = ()) -> pd.DataFrame:
    """What dbt.ref() gave (a DuckDB relation or a Snowpark DataFrame) as pandas, lower-case columns.

    A warehouse returns rows in no fixed order (parallel scans), and a float sum, a fold
    split or a boosted tree depends on the order of its rows: `order_by` names the
    (lower-case) columns that identify a row, and the frame comes sorted by them, so the
    same table gives the same frame on every build (sort_rows)."""
    frame = relation.df() if hasattr(relation, "df") else relation.to_pandas()
    frame.columns = [str(name).lower() for name in frame.columns]
    return sort_rows(frame, order_by) if order_by else frame


def sort_rows(frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """`frame` sorted by the columns `keys` (nulls last) with a fresh index. The keys must
    identify a row: rows that tie on them would keep the order the engine gave them."""
    missing = [key for key in keys if key not in frame.columns]
    if missing:
        raise KeyError(f"sort_rows: no column(s) {', '.join(missing)} to order rows by")
    ordered = frame.sort_values(list(keys), kind="stable", na_position="last")
    return ordered.reset_index(drop=True)


def to_pandas_batches(relation: Any, rows: int = 500_000) -> Iterator[pd.DataFrame]:
    """What dbt.ref() gave, as pandas frames of at most about `rows` rows (lower-case columns),
    so a model can work through a table larger than memory."""
    if hasattr(relation, "fetch_arrow_reader"):
        frames = (batch.to_pandas() for batch in relation.fetch_arrow_reader(rows))
    else:
        frames = relation.to_pandas_batches()
    for frame in frames:
        frame.columns = [str(name).lower() for name in frame.columns]
        yield frame


def frames_to_reader(frames: Iterable[pd.DataFrame], schema: pa.Schema) -> pa.RecordBatchReader:
    """pandas frames with `schema`'s columns as one Arrow stream (to_output writes it without
    holding it whole on DuckDB)."""
    batches = (pa.RecordBatch.from_pandas(f, schema=schema, preserve_index=False) for f in frames)
    return pa.RecordBatchReader.from_batches(schema, batches)


def to_output(data: pa.RecordBatchReader | pd.DataFrame, session: Any) -> Any:
    """What the adapter running this model can write: as given on DuckDB (Arrow streams and
    pandas both work), upper-case pandas elsewhere."""
    if is_duckdb(session):
        return data
    frame = data.read_pandas() if isinstance(data, pa.RecordBatchReader) else data.copy()
    frame.columns = [str(name).upper() for name in frame.columns]
    return frame


def read_table(session: Any, relation: Any) -> pd.DataFrame:
    """An existing table by name (for example an incremental model's own `dbt.this`)."""
    if is_duckdb(session):
        return to_pandas(session.sql(f"select * from {relation}"))
    return to_pandas(session.table(str(relation)))
