"""Publish a green build's public tables to the serving DuckDB file BI tools open.

    python -m catalog_ml.publish WORK.duckdb SERVING.duckdb [--target-path target]

dbt builds into the work file (CATALOG_ML_DUCKDB_PATH). DuckDB lets one process write a
file and nobody read it meanwhile, so BI tools never open the work file: they open the
serving file, read-only. After a green `dbt build`, this module copies the tables BI reads
(from the build's manifest: every public model, every model an exposure or a semantic model
depends on, and the semantic layer's time spine) into a new file next to the serving file,
adds the build-status tables, and swaps it in with one os.replace():

- a reader holding the old serving file keeps reading it (its open file is never written)
  and is never blocked; it sees the new publication when it reconnects;
- a failed or killed build never reaches the publish step, and a failed or killed publish
  leaves only a temporary file (removed on failure, or by the next publish): the last good
  publication stays in place, and its `build_status` says when it was built;
- the publish refuses a build whose run_results.json has an error, a failed test or a
  skipped node.

Tables keep their schema and name; views (monitors) are published as tables, so the serving
file stands alone. `build_status` (one row) and `build_status_tables` (one row per table)
say what was published when.

Which tables are published, and whether the build is green, is decided in
catalog_ml.serving_tables; this module writes the serving file.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from catalog_ml.serving_tables import (
    BAD_STATUSES,
    STATUS_TABLE,
    STATUS_TABLES_TABLE,
    PublishedTable,
    PublishError,
    check_green,
    project_version,
    published_tables,
    read_artifact,
)

# Choosing the tables lives in catalog_ml.serving_tables; importable from here as before.
__all__ = [
    "BAD_STATUSES",
    "STATUS_TABLE",
    "STATUS_TABLES_TABLE",
    "PublishError",
    "PublishedTable",
    "check_green",
    "main",
    "project_version",
    "publish",
    "published_tables",
    "remove_stale_temp_files",
]

# Aliases of the two files inside the publishing connection (an in-memory database).
TARGET_ALIAS = "catalog_ml_publish_target"
TEMP_MARKER = ".publishing-"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str | None) -> str:
    return "null" if text is None else "'" + text.replace("'", "''") + "'"


def _temp_path(serving: Path) -> Path:
    return serving.with_name(f".{serving.name}{TEMP_MARKER}{os.getpid()}")


def _remove(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()


def remove_stale_temp_files(serving: Path) -> list[Path]:
    """Remove temporary files of publishes that were killed (their process is gone)."""
    removed = []
    for path in serving.parent.glob(f".{serving.name}{TEMP_MARKER}*"):
        pid = path.name.rsplit(TEMP_MARKER, 1)[1].split(".")[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            _remove(path)
            removed.append(path)
        except PermissionError:
            pass  # alive, another user's
    return removed


def _copy_table(con: duckdb.DuckDBPyConnection, source: str, table: PublishedTable) -> int:
    """Copy one table (or view, as a table) into the new file with its descriptions; its rows."""
    target = f"{TARGET_ALIAS}.{_quote(table.schema)}.{_quote(table.name)}"
    con.execute(f"create schema if not exists {TARGET_ALIAS}.{_quote(table.schema)}")
    con.execute(f"create table {target} as select * from {source}")
    if table.description:
        con.execute(f"comment on table {target} is {_literal(table.description.strip())}")
    columns = {row[0] for row in con.execute(f"select * from {target} limit 0").description}
    for column, description in table.columns.items():
        if description and column in columns:
            con.execute(
                f"comment on column {target}.{_quote(column)} is {_literal(description.strip())}"
            )
    return con.execute(f"select count(*) from {target}").fetchone()[0]


def _write_status(
    con: duckdb.DuckDBPyConnection,
    status: dict,
    counts: list[tuple[PublishedTable, int]],
) -> None:
    main = f"{TARGET_ALIAS}.main"
    con.execute(
        f"""
        create table {main}.{STATUS_TABLE} (
            published_at timestamp, build_finished_at timestamp, build_started_at timestamp,
            dbt_invocation_id varchar, dbt_command varchar, dbt_version varchar,
            project_name varchar, project_version varchar, tables_published integer,
            rows_published bigint, work_file varchar
        )
        """
    )
    con.execute(
        f"insert into {main}.{STATUS_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            status["published_at"],
            status["build_finished_at"],
            status["build_started_at"],
            status["dbt_invocation_id"],
            status["dbt_command"],
            status["dbt_version"],
            status["project_name"],
            status["project_version"],
            len(counts),
            sum(rows for _, rows in counts),
            status["work_file"],
        ],
    )
    con.execute(
        f"""
        create table {main}.{STATUS_TABLES_TABLE} (
            table_schema varchar, table_name varchar, row_count bigint, dbt_unique_id varchar,
            published_because varchar, published_at timestamp, dbt_invocation_id varchar
        )
        """
    )
    con.executemany(
        f"insert into {main}.{STATUS_TABLES_TABLE} values (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                table.schema,
                table.name,
                rows,
                table.unique_id,
                table.reason,
                status["published_at"],
                status["dbt_invocation_id"],
            )
            for table, rows in counts
        ],
    )
    con.execute(
        f"comment on table {main}.{STATUS_TABLE} is "
        + _literal(
            "The publication in this file: when the build that made it finished, which dbt "
            "invocation, which project version, how many tables and rows (python -m "
            "catalog_ml.publish)."
        )
    )
    con.execute(
        f"comment on table {main}.{STATUS_TABLES_TABLE} is "
        + _literal("Every table in this publication with its row count and why it is published.")
    )


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def publish(
    work: Path,
    serving: Path,
    target_path: Path = Path("target"),
    project_dir: Path = Path("."),
) -> dict:
    """Copy the BI tables of a green build from `work` to `serving`, atomically; the status row."""
    work, serving = Path(work).resolve(), Path(serving).resolve()
    if work == serving:
        raise PublishError("the serving file must not be the work file")
    if not work.is_file():
        raise PublishError(f"no work warehouse at {work}: run `dbt build` first")
    manifest = read_artifact(Path(target_path) / "manifest.json", "manifest")
    run_results = read_artifact(Path(target_path) / "run_results.json", "run_results.json")
    check_green(run_results)
    tables = published_tables(manifest)
    if not tables:
        raise PublishError("the manifest names no public model, exposure or semantic model")
    databases = {manifest["nodes"][table.unique_id]["database"] for table in tables}
    # Views in the work file name their inputs with the work database's name: attach it so.
    work_alias = databases.pop() if len(databases) == 1 else work.stem
    if work_alias.lower() in {TARGET_ALIAS, "memory", "system", "temp"}:
        raise PublishError(f"the work file's database name '{work_alias}' is reserved here")

    serving.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(serving)
    temp = _temp_path(serving)
    _remove(temp)
    metadata = run_results.get("metadata", {})
    status = {
        "published_at": datetime.now(UTC).replace(tzinfo=None),
        "build_finished_at": _parse_time(metadata.get("generated_at")),
        "build_started_at": _parse_time(metadata.get("invocation_started_at")),
        "dbt_invocation_id": metadata.get("invocation_id"),
        "dbt_command": " ".join(["build", *((run_results.get("args") or {}).get("select") or [])]),
        "dbt_version": metadata.get("dbt_version"),
        "project_name": manifest["metadata"].get("project_name"),
        "project_version": project_version(Path(project_dir)),
        "work_file": str(work),
    }
    started = time.perf_counter()
    try:
        with duckdb.connect(":memory:") as con:
            con.execute(f"attach {_literal(str(temp))} as {TARGET_ALIAS}")
            try:
                con.execute(f"attach {_literal(str(work))} as {_quote(work_alias)} (read_only)")
            except duckdb.Error as error:
                raise PublishError(
                    f"cannot open the work file {work} read-only (is a dbt build running?): {error}"
                ) from error
            present = {
                (schema, name)
                for schema, name in con.execute(
                    "select schema_name, table_name from duckdb_tables() where database_name = ?"
                    " union all "
                    "select schema_name, view_name from duckdb_views() where database_name = ?",
                    [work_alias, work_alias],
                ).fetchall()
            }
            missing = [f"{t.schema}.{t.name}" for t in tables if (t.schema, t.name) not in present]
            if missing:
                raise PublishError(f"not in the work file {work}: {', '.join(missing)}")
            counts = []
            for table in tables:
                source = f"{_quote(work_alias)}.{_quote(table.schema)}.{_quote(table.name)}"
                counts.append((table, _copy_table(con, source, table)))
            _write_status(con, status, counts)
            con.execute(f"detach {_quote(work_alias)}")
            con.execute(f"checkpoint {TARGET_ALIAS}")
            con.execute(f"detach {TARGET_ALIAS}")
        with open(temp, "rb") as handle:
            os.fsync(handle.fileno())
        # A WAL beside the serving file belongs to someone who wrote to it (BI must open it
        # read-only); it must not be replayed onto the new file.
        _remove(serving.with_name(serving.name + ".wal"))
        os.replace(temp, serving)
        with contextlib.suppress(OSError):  # make the rename durable (POSIX)
            directory = os.open(serving.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
    except BaseException:
        _remove(temp)
        raise
    status["tables"] = [(f"{t.schema}.{t.name}", rows) for t, rows in counts]
    status["seconds"] = time.perf_counter() - started
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m catalog_ml.publish",
        description="Publish a green dbt build's BI tables to a serving DuckDB file, atomically.",
    )
    parser.add_argument(
        "work", type=Path, help="the DuckDB file dbt builds (CATALOG_ML_DUCKDB_PATH)"
    )
    parser.add_argument("serving", type=Path, help="the DuckDB file BI tools open read-only")
    parser.add_argument(
        "--target-path",
        type=Path,
        default=Path(os.environ.get("DBT_TARGET_PATH", "target")),
        help="dbt's target folder of that build (manifest.json, run_results.json)",
    )
    parser.add_argument(
        "--project-dir", type=Path, default=Path("."), help="where dbt_project.yml is"
    )
    args = parser.parse_args(argv)
    try:
        status = publish(args.work, args.serving, args.target_path, args.project_dir)
    except PublishError as error:
        print(f"publish: {error}", file=sys.stderr)
        print(f"publish: the serving file {args.serving} is unchanged", file=sys.stderr)
        return 1
    width = max(len(name) for name, _ in status["tables"])
    print(
        f"\nPublished {len(status['tables'])} tables to {Path(args.serving).resolve()} "
        f"in {status['seconds']:.1f} s (dbt invocation {status['dbt_invocation_id']}, "
        f"project version {status['project_version']}):"
    )
    for name, rows in status["tables"]:
        print(f"  {name:<{width}}  {rows:>12,} rows")
    print("BI tools: open it read-only, e.g. duckdb -readonly " + str(args.serving))
    return 0


if __name__ == "__main__":
    sys.exit(main())
