"""Run dbt's Snowflake target on fakesnow (a Snowflake emulator on DuckDB), in this process.

    python tests/integration/snowflake_emulator.py DEMO_DUCKDB_FILE WORKDIR [DBT_BUILD_ARGS...]

fakesnow patches `snowflake.connector.connect`, which dbt-snowflake calls, so dbtRunner in
this process sends every statement dbt writes for Snowflake to the emulator, which parses it
in Snowflake's dialect and executes it on DuckDB. The raw tables and the Python models'
outputs (which need Snowpark, not SQL) are copied in from a DuckDB demo build first:
- the demo generator's raw tables become the `raw` source (var raw_source: warehouse);
- each Python model's table is loaded where dbt-snowflake would have written it;
then `dbt build` runs every SQL model, snapshot, seed and data test on the emulator, the
Python models excluded. dbt's run_results.json lands in WORKDIR/target.

Where fakesnow departs from Snowflake, the emulator is corrected here, in one place
(EMULATOR_FIXES), so that it behaves as Snowflake does; nothing here changes what dbt sends
(the SQL is Snowflake's). Nodes that still fail are listed in test_snowflake_emulator.py.
"""

from __future__ import annotations

import json
import os
import re
import sys
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "src"))

from catalog_ml.warehouse import connect as connect_duckdb  # noqa: E402

DATABASE = "CATALOG_ML"
RAW_SCHEMA = "RAW"
ENV = {
    "SNOWFLAKE_ACCOUNT": "fakesnow",
    "SNOWFLAKE_USER": "fake",
    "SNOWFLAKE_PASSWORD": "snow",
    "SNOWFLAKE_DATABASE": DATABASE,
    "SNOWFLAKE_SCHEMA": "ANALYTICS",
    "DBT_PROFILES_DIR": str(REPO),
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
}
VARS = {"raw_source": "warehouse", "raw_database": DATABASE, "raw_schema": RAW_SCHEMA}
# DuckDB column types and the Snowflake type a Snowpark (or a loader) would write for them.
SNOWFLAKE_TYPES = [
    (r"^(VARCHAR|TEXT|STRING|UUID)", "varchar"),
    (
        r"^(BIGINT|INTEGER|SMALLINT|TINYINT|HUGEINT|UBIGINT|UINTEGER|USMALLINT|UTINYINT)$",
        "number(38, 0)",
    ),
    (r"^(DOUBLE|FLOAT|REAL)$", "float"),
    (r"^DECIMAL", None),  # kept as written: decimal(p, s) is number(p, s)
    (r"^BOOLEAN$", "boolean"),
    (r"^TIMESTAMP WITH TIME ZONE$", "timestamp_tz"),
    (r"^TIMESTAMP", "timestamp_ntz"),
    (r"^DATE$", "date"),
    (r"^BLOB$", "binary"),
    (r"(\[\]|^STRUCT|^MAP)", "variant"),
]


def try_cast_to_timestamp_returns_null(original):
    """fakesnow rewrites every cast to timestamp (TRY_CAST included: sqlglot's TryCast is a
    Cast) into a plain cast, which fails on a bad value; Snowflake's TRY_CAST returns null, as
    DuckDB's does, so the emulator keeps TRY_CAST."""
    from sqlglot import exp

    timestamp_types = (exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPNTZ)

    def to_timestamp(expression):
        if isinstance(expression, exp.TryCast) and expression.to.this in timestamp_types:
            return expression
        return original(expression)

    return to_timestamp


def table_comment_with_quotes(original):
    """fakesnow records a table comment (`comment on table ... is $$...$$`, persist_docs) in a
    quoted literal without escaping it: a description with an apostrophe fails to parse."""

    def insert_table_comment_sql(catalog: str, schema: str, table: str, comment: str) -> str:
        return original(catalog, schema, table, (comment or "").replace("'", "''"))

    return insert_table_comment_sql


def create_table_as_with_table_constraints(original):
    """fakesnow counts a table constraint in `create table t (columns, primary key (a, b)) as
    select` (a contract's model-level constraint) as a column, and then rejects the column
    list as longer than the select's; Snowflake accepts it (and does not enforce the key)."""
    from sqlglot import exp

    def create_table_as(expression, duck_conn):
        schema = expression.this if isinstance(expression, exp.Create) else None
        if isinstance(schema, exp.Schema) and expression.expression is not None:
            columns = [e for e in schema.expressions if isinstance(e, exp.ColumnDef)]
            schema.set("expressions", columns)
        return original(expression, duck_conn)

    return create_table_as


def qualified_temporary_tables(original):
    """Snowflake creates a temporary table under a database and schema (dbt unit tests do);
    DuckDB keeps temporary tables in its own catalog, so fakesnow rejects the name. The
    emulator makes it a plain table there: the same name and rows, a longer life."""
    from sqlglot import exp

    def create_table_as(expression, duck_conn):
        if isinstance(expression, exp.Create) and (table := expression.find(exp.Table)):
            properties = expression.args.get("properties")
            temporary = properties and properties.find(exp.TemporaryProperty)
            if temporary and table.args.get("catalog"):
                temporary.pop()
        return original(expression, duck_conn)

    return create_table_as


def object_construct_star_exclude(original):
    """fakesnow's OBJECT_CONSTRUCT_KEEP_NULL takes a bare `*` but fails (an assertion) on
    `* exclude (a, b)`, which Snowflake accepts (macro unpivot_columns): the emulator builds
    the object from DuckDB's COLUMNS(* EXCLUDE (...)), nulls kept."""
    from sqlglot import exp

    def object_construct(expression):
        star = expression.expressions[0] if isinstance(expression, exp.JSONObject) else None
        if (
            len(expression.expressions) == 1
            and isinstance(star, exp.Star)
            and star.args.get("except_")
        ):
            excluded = ", ".join(column.sql() for column in star.args["except_"])
            columns = exp.var(f"*COLUMNS(* EXCLUDE ({excluded}))")
            packed = exp.Anonymous(this="STRUCT_PACK", expressions=[columns])
            return exp.Anonymous(this="TO_JSON", expressions=[packed])
        return original(expression)

    return object_construct


def to_number_hex(original):
    """fakesnow has no TO_NUMBER format; the hexadecimal one ('XXXXXXXX', macro
    recs_user_fraction) is DuckDB's cast of '0x' || text."""
    from sqlglot import exp

    def to_decimal(expression):
        fmt = expression.args.get("format") if isinstance(expression, exp.ToNumber) else None
        if isinstance(fmt, exp.Literal) and set(fmt.this.upper()) == {"X"}:
            hex_text = exp.DPipe(this=exp.Literal.string("0x"), expression=expression.this.copy())
            return exp.Cast(this=hex_text, to=exp.DataType(this=exp.DataType.Type.UBIGINT))
        return original(expression)

    return to_decimal


# Where fakesnow departs from Snowflake: (fakesnow module, function, its replacement given
# the original), each correcting the emulator towards Snowflake's behaviour.
EMULATOR_FIXES = [
    ("fakesnow.transforms", "to_timestamp", try_cast_to_timestamp_returns_null),
    ("fakesnow.info_schema", "insert_table_comment_sql", table_comment_with_quotes),
    ("fakesnow.transforms", "create_table_as", create_table_as_with_table_constraints),
    ("fakesnow.transforms", "create_table_as", qualified_temporary_tables),
    ("fakesnow.transforms", "object_construct", object_construct_star_exclude),
    ("fakesnow.transforms", "to_decimal", to_number_hex),
]
# Statements fakesnow cannot parse, answered with success without being run: persist_docs'
# column comments (`alter table t alter "C" comment $$...$$, ...`). Comments change no data.
EMULATOR_SKIPPED_STATEMENTS = [
    r'\s*alter\s+(transient\s+)?table\s+\S+\s+alter\s+"[^"]+"\s+comment\s'
]


def fix_emulator() -> None:
    """Apply EMULATOR_FIXES to fakesnow."""
    import importlib

    for module_name, name, fix in EMULATOR_FIXES:
        module = importlib.import_module(module_name)
        setattr(module, name, fix(getattr(module, name)))


def snowflake_type(duckdb_type: str) -> str:
    """The Snowflake type of a column of DuckDB type duckdb_type (ValueError if unknown)."""
    for pattern, target in SNOWFLAKE_TYPES:
        if re.search(pattern, duckdb_type):
            return target or duckdb_type.lower()
    raise ValueError(f"no Snowflake type for DuckDB type {duckdb_type}")


def python_models(manifest) -> list:
    """The enabled Python model nodes of a parsed manifest."""
    return [
        node
        for node in manifest.nodes.values()
        if node.resource_type == "model" and node.language == "python"
    ]


def load_table(conn, source, name: str, target: str) -> int:
    """Copy table name of DuckDB connection source to the emulator as target; rows copied."""
    columns = source.execute(f"describe {name}").fetchall()
    definition = ", ".join(f"{c[0]} {snowflake_type(c[1])}" for c in columns)
    conn.cursor().execute(f"create or replace table {target} ({definition})")
    frame = source.execute(f"select * from {name}").df()
    if frame.empty:
        return 0
    from fakesnow.pandas_tools import write_pandas

    database, schema, table = target.split(".")
    write_pandas(conn, frame, table, database, schema, quote_identifiers=False)
    return len(frame)


def load_inputs(manifest, demo_file: Path) -> dict[str, int]:
    """Load the raw tables and the Python models' outputs of demo_file into the emulator, where
    the manifest's sources and Python models are; rows loaded per table."""
    import snowflake.connector

    loaded = {}
    with (
        snowflake.connector.connect(database=DATABASE, schema=RAW_SCHEMA) as conn,
        connect_duckdb(demo_file, read_only=True) as source,
    ):
        # Schemas exist before dbt's threads connect: fakesnow creates a connection's schema
        # when it is missing, and two threads doing so at once conflict.
        schemas = {ENV["SNOWFLAKE_SCHEMA"]} | {node.schema for node in manifest.nodes.values()}
        for schema in sorted(schemas):
            conn.cursor().execute(f"create schema if not exists {DATABASE}.{schema}")
        for node in manifest.sources.values():
            if node.source_name == "raw":
                target = f"{DATABASE}.{RAW_SCHEMA}.{node.identifier}"
                loaded[target] = load_table(conn, source, f"raw_demo_{node.name}", target)
        for node in python_models(manifest):
            target = f"{node.database}.{node.schema}.{node.alias}"
            loaded[target] = load_table(conn, source, node.alias, target)
    return loaded


def main(demo_file: Path, workdir: Path, build_args: list[str]) -> int:
    os.environ.update(ENV)
    # fakesnow's DB-API results copy arrow rows (a UserWarning per query): noise here.
    warnings.filterwarnings("ignore", message="Arrow output on a DB-API result")
    import fakesnow
    from dbt.cli.main import dbtRunner

    common = ["--project-dir", str(REPO), "--target", "snowflake", "--threads", "2"]
    common += ["--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs")]
    common += ["--vars", json.dumps(VARS)]
    (workdir / "fakesnow").mkdir(parents=True, exist_ok=True)
    fix_emulator()
    with fakesnow.patch(db_path=workdir / "fakesnow", nop_regexes=EMULATOR_SKIPPED_STATEMENTS):
        parsed = dbtRunner().invoke(["parse", *common])
        if not parsed.success:
            print(parsed.exception, file=sys.stderr)
            return 2
        manifest = parsed.result
        print(json.dumps(load_inputs(manifest, demo_file), indent=1))
        excluded = [node.name for node in python_models(manifest)]
        built = dbtRunner(manifest=manifest).invoke(
            ["build", *common, "--exclude", *excluded, *build_args]
        )
    return 0 if built.success else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]))
