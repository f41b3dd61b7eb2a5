"""portable.to_output on both engines: Arrow for DuckDB, upper-case pandas for Snowpark."""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from catalog_ml.portable import (
    is_duckdb,
    read_table,
    row_count,
    rows_above,
    scalar,
    sort_rows,
    to_output,
    to_pandas,
    to_pandas_batches,
)


def reader() -> pa.RecordBatchReader:
    batch = pa.record_batch({"product_id": ["P1", "P2"], "price": ["1.00", None]})
    return pa.RecordBatchReader.from_batches(batch.schema, [batch])


def test_duckdb_gets_a_stream_it_can_write():
    with duckdb.connect() as con:
        assert is_duckdb(con)
        out = to_output(reader(), con)
        con.register("out", out)
        assert con.execute("select count(*), max(product_id) from out").fetchone() == (2, "P2")


@pytest.fixture(scope="module")
def snowpark_session():
    from snowflake.snowpark import Session

    session = Session.builder.config("local_testing", True).create()
    yield session
    session.close()


def test_snowpark_gets_a_stream_as_a_table_it_can_copy(snowpark_session):
    """An Arrow stream goes batch by batch into a temporary table; dbt-snowflake's materialize
    writes the returned Snowpark DataFrame (no pandas conversion)."""
    assert not is_duckdb(snowpark_session)
    batch = pa.record_batch({"product_id": ["P1", "P2"], "price": ["1.00", None]})
    stream = pa.RecordBatchReader.from_batches(batch.schema, [batch, batch.slice(0, 1)])
    written = to_output(stream, snowpark_session)
    assert not isinstance(written, pd.DataFrame)
    assert written.columns == ["PRODUCT_ID", "PRICE"]
    rows = sorted(tuple(row) for row in written.collect())
    assert rows == [("P1", "1.00"), ("P1", "1.00"), ("P2", None)]


def test_snowpark_gets_an_empty_stream_as_upper_case_pandas(snowpark_session):
    schema = pa.schema([("product_id", pa.string()), ("price", pa.float64())])
    empty = to_output(pa.RecordBatchReader.from_batches(schema, []), snowpark_session)
    assert list(empty.columns) == ["PRODUCT_ID", "PRICE"] and empty.empty


def test_inputs_become_lower_case_pandas_on_both_engines(snowpark_session):
    with duckdb.connect() as con:
        relation = con.sql("select 'P1' as Product_ID, 2.5 as PRICE")
        assert list(to_pandas(relation).columns) == ["product_id", "price"]
    frame = snowpark_session.create_dataframe([["P1", 2.5]], schema=["PRODUCT_ID", "PRICE"])
    assert to_pandas(frame).to_dict("records") == [{"product_id": "P1", "price": 2.5}]


def test_pandas_output_and_reading_a_table_back_on_both_engines(snowpark_session):
    frame = pd.DataFrame({"model_name": ["matcher"], "training_rows": [3]})
    with duckdb.connect() as con:
        assert to_output(frame, con) is frame
        con.execute("create table registry as select * from frame")
        assert read_table(con, "registry").to_dict("records") == frame.to_dict("records")
    written = to_output(frame, snowpark_session)
    assert list(written.columns) == ["MODEL_NAME", "TRAINING_ROWS"]
    snowpark_session.create_dataframe(written).write.save_as_table("REGISTRY")
    assert read_table(snowpark_session, "REGISTRY").to_dict("records") == frame.to_dict("records")


def test_inputs_in_batches_on_both_engines(snowpark_session):
    with duckdb.connect() as con:
        relation = con.sql("select range as Row_ID from range(2500)")
        frames = list(to_pandas_batches(relation, rows=1000))
    assert [len(f) for f in frames] == [1000, 1000, 500]
    assert list(frames[0].columns) == ["row_id"]
    assert pd.concat(frames)["row_id"].tolist() == list(range(2500))
    frame = snowpark_session.create_dataframe([[1], [2]], schema=["ROW_ID"])
    snow = pd.concat(list(to_pandas_batches(frame)))
    assert snow["row_id"].tolist() == [1, 2]


def test_batches_are_as_large_as_asked_beyond_duckdbs_own_batch_size():
    with duckdb.connect() as con:
        relation = con.sql("select range as row_id from range(300000)")
        frames = list(to_pandas_batches(relation, rows=250_000, progress="test"))
        assert row_count(relation) == 300_000
    assert [len(f) for f in frames] == [250_000, 50_000]
    assert pd.concat(frames)["row_id"].tolist() == list(range(300_000))


def test_rows_above_filters_in_the_warehouse_on_both_engines(snowpark_session):
    rows = [["U1", 0], ["U2", 2], ["U3", None]]
    with duckdb.connect() as con:
        con.execute(
            "create table t as select * from (values ('U1', 0), ('U2', 2), ('U3', null)) v(user_id, n)"
        )
        kept = rows_above(con.table("t"), "n", 0)
        assert kept.fetchall() == [("U2", 2)]
        assert row_count(kept) == 1
    snow = snowpark_session.create_dataframe(rows, schema=["USER_ID", "N"])
    kept = rows_above(snow, "n", 0)
    assert [tuple(row) for row in kept.collect()] == [("U2", 2)]
    assert row_count(kept) == 1


def test_inputs_come_sorted_by_their_keys_whatever_order_the_engine_gives(snowpark_session):
    rows = [["U2", "P1", 0.5], ["U1", "P2", 1.5], [None, "P0", 9.0], ["U1", "P1", 2.5]]
    with duckdb.connect() as con:
        con.execute("create table t (user_id varchar, product_id varchar, score double)")
        con.executemany("insert into t values (?, ?, ?)", rows)
        for order in ["score", "score desc", "product_id"]:
            relation = con.sql(f"select * from t order by {order}")
            frame = to_pandas(relation, ["user_id", "product_id"])
            assert list(frame.score) == [2.5, 1.5, 0.5, 9.0]  # nulls last
            assert list(frame.index) == [0, 1, 2, 3]
    snow = snowpark_session.create_dataframe(rows, schema=["USER_ID", "PRODUCT_ID", "SCORE"])
    assert list(to_pandas(snow, ["user_id", "product_id"]).score) == [2.5, 1.5, 0.5, 9.0]
    with pytest.raises(KeyError, match="session_id"):
        sort_rows(pd.DataFrame({"user_id": ["U1"]}), ["session_id"])


def test_scalar_is_the_one_value_of_a_query_on_duckdb():
    with duckdb.connect() as con:
        con.execute("create table t as select * from (values ('ED002x'), ('ED010y'), ('E1')) v(id)")
        assert scalar(con, "select max(id) from t where id like 'ED%'") == "ED010y"
        assert scalar(con, "select max(id) from t where id like 'none%'") is None
