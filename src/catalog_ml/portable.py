"""The one place that knows which engine runs a dbt Python model.

dbt-duckdb hands a model a DuckDB connection and accepts Arrow data (streamed from a
RecordBatchReader, so large outputs never sit in memory whole); dbt-snowflake hands
it a Snowpark session and writes a pandas DataFrame or a Snowpark DataFrame (to_output
streams Arrow batches into a temporary table), whose column names Snowflake wants
upper-case.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pandas as pd
import pyarrow as pa

from catalog_ml.progress import logged_batches


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


def to_pandas_batches(
    relation: Any, rows: int = 500_000, progress: str | None = None
) -> Iterator[pd.DataFrame]:
    """What dbt.ref() gave, as pandas frames of at most about `rows` rows (lower-case columns),
    so a model can work through a table larger than memory. Snowpark sizes its batches itself
    (result chunks). With `progress` (a task name), every batch logs a progress line
    (catalog_ml.progress: rows read of the relation's row count, batch i of n, rows/s)."""
    # counted before the stream opens (a DuckDB connection runs one query at a time)
    total = row_count(relation) if progress is not None else None
    if hasattr(relation, "fetch_arrow_reader"):
        frames = _exact_batches(relation.fetch_arrow_reader(rows), rows)
    else:
        frames = relation.to_pandas_batches()
    if progress is not None:
        batch_rows = rows if hasattr(relation, "fetch_arrow_reader") else None
        frames = logged_batches(frames, progress, total, batch_rows)
    for frame in frames:
        frame.columns = [str(name).lower() for name in frame.columns]
        yield frame


def _exact_batches(reader: pa.RecordBatchReader, rows: int) -> Iterator[pd.DataFrame]:
    """The stream as frames of exactly `rows` rows but the last (DuckDB's reader caps its
    batches at 122,880 rows whatever it is asked), so a batch is what the model asked for."""
    pending: pa.Table | None = None
    for batch in reader:
        table = pa.Table.from_batches([batch])
        pending = table if pending is None else pa.concat_tables([pending, table])
        while pending.num_rows >= rows:
            yield pending.slice(0, rows).to_pandas()
            pending = pending.slice(rows)
    if pending is not None and pending.num_rows:
        yield pending.to_pandas()


def row_count(relation: Any) -> int:
    """The number of rows of what dbt.ref() gave (one count query in the warehouse)."""
    if is_duckdb(relation):
        return int(relation.aggregate("count(*)").fetchall()[0][0])
    return int(relation.count())


def rows_above(relation: Any, column: str, value: float) -> Any:
    """The rows of what dbt.ref() gave whose `column` is above `value`, filtered in the
    warehouse (only those rows reach Python). On Snowpark a Column expression, not SQL text:
    the same query on Snowflake, and one that Snowpark's local testing can run."""
    if is_duckdb(relation):
        return relation.filter(f"{column} > {value!r}")
    from snowflake.snowpark.functions import col

    return relation.filter(col(column) > value)


def frames_to_reader(frames: Iterable[pd.DataFrame], schema: pa.Schema) -> pa.RecordBatchReader:
    """pandas frames with `schema`'s columns as one Arrow stream (to_output writes it without
    holding it whole on DuckDB)."""
    batches = (pa.RecordBatch.from_pandas(f, schema=schema, preserve_index=False) for f in frames)
    return pa.RecordBatchReader.from_batches(schema, batches)


def to_output(data: pa.RecordBatchReader | pd.DataFrame, session: Any) -> Any:
    """What the adapter running this model can write: as given on DuckDB (Arrow streams and
    pandas both work). On Snowpark, upper-case columns: a pandas frame as it is, and an
    Arrow stream batch by batch into a temporary table whose Snowpark DataFrame dbt then
    copies into the model's table in the warehouse (so the output, too, is never whole in
    the procedure's memory); an empty stream as an empty pandas frame with its columns."""
    if is_duckdb(session):
        return data
    if isinstance(data, pd.DataFrame):
        return _upper_case(data.copy())
    table = f"CATALOG_ML_OUTPUT_{uuid.uuid4().hex.upper()}"
    written = False
    for batch in data:
        frame = _upper_case(batch.to_pandas())
        writer = session.create_dataframe(frame).write.mode("append")
        writer.save_as_table(table, table_type="temporary")
        written = True
    if not written:
        return _upper_case(data.schema.empty_table().to_pandas())
    return session.table(table)


def _upper_case(frame: pd.DataFrame) -> pd.DataFrame:
    frame.columns = [str(name).upper() for name in frame.columns]
    return frame


def read_table(session: Any, relation: Any) -> pd.DataFrame:
    """An existing table by name (for example an incremental model's own `dbt.this`)."""
    if is_duckdb(session):
        return to_pandas(session.sql(f"select * from {relation}"))
    return to_pandas(session.table(str(relation)))


def scalar(session: Any, sql: str) -> Any:
    """The one value of a one-row, one-column query, run on the model's engine."""
    rows = session.sql(sql).fetchall() if is_duckdb(session) else session.sql(sql).collect()
    return rows[0][0]
