"""The one place that knows which engine runs a dbt Python model.

dbt-duckdb hands a model a DuckDB connection and accepts Arrow data (streamed from a
RecordBatchReader, so large outputs never sit in memory whole); dbt-snowflake hands
it a Snowpark session and writes a pandas DataFrame, whose column names Snowflake
wants upper-case.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pandas as pd
import pyarrow as pa


def is_duckdb(session: Any) -> bool:
    """True unless the session is Snowpark's: dbt-duckdb hands models a DuckDB connection,
    or its own wrapper around one (dbt.adapters.duckdb), so Snowpark is what is detected."""
    return not type(session).__module__.startswith("snowflake.")


def to_pandas(relation: Any) -> pd.DataFrame:
    """What dbt.ref() gave (a DuckDB relation or a Snowpark DataFrame) as pandas, lower-case columns."""
    frame = relation.df() if hasattr(relation, "df") else relation.to_pandas()
    frame.columns = [str(name).lower() for name in frame.columns]
    return frame


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
