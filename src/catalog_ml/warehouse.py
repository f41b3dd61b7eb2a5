"""Open a DuckDB file that a dbt build wrote, with every schema on the search path.

The build writes each layer to a schema of its own (macro generate_schema_name: staging,
intermediate, ml, evaluation, monitoring, demo, marts, ...). Readers outside dbt (the summary,
model cards, benchmarks, tests) name relations without their schema; `connect` puts every
schema of the file on DuckDB's search path so that such names resolve. A name is unique across
the layers (dbt requires unique model names), so the order of the path does not matter.
"""

from __future__ import annotations

from pathlib import Path

import duckdb


def connect(path: str | Path, *, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """A connection to the DuckDB file at path whose search path holds every schema in it."""
    con = duckdb.connect(str(path), read_only=read_only)
    schemas = [
        row[0]
        for row in con.execute(
            "select schema_name from duckdb_schemas() where database_name = current_database()"
            " and not internal order by schema_name = 'main' desc, schema_name"
        ).fetchall()
    ]
    if schemas:
        path_value = ",".join(f'"{s}"' for s in ["main", *[s for s in schemas if s != "main"]])
        con.execute(f"set search_path = '{path_value.replace(chr(39), chr(39) * 2)}'")
    return con
