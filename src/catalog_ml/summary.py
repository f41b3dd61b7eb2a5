"""Print where the DuckDB warehouse is and what it holds: `python -m catalog_ml.summary PATH`."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb


def describe(path: str) -> list[tuple[str, str, str, int]]:
    """(schema, table, kind, rows) for every table and view in the warehouse, by name."""
    with duckdb.connect(path, read_only=True) as con:
        relations = con.execute(
            """
            select table_schema, table_name, table_type
            from information_schema.tables
            where table_schema not in ('information_schema', 'pg_catalog')
            order by table_schema, table_name
            """
        ).fetchall()
        return [
            (
                schema,
                name,
                kind.lower(),
                con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0],
            )
            for schema, name, kind in relations
        ]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m catalog_ml.summary PATH_TO_DUCKDB_FILE", file=sys.stderr)
        return 2
    path = Path(argv[0]).resolve()
    if not path.exists():
        print(f"no warehouse at {path}: run `make demo` first", file=sys.stderr)
        return 1
    rows = describe(str(path))
    print(f"\nWarehouse: {path} ({path.stat().st_size / 1e6:.1f} MB), {len(rows)} relations")
    width = max(len(f"{schema}.{name}") for schema, name, _, _ in rows)
    for schema, name, kind, count in rows:
        print(f"  {f'{schema}.{name}':<{width}}  {kind:<10} {count:>12,} rows")
    print("\nOpen it with: duckdb -readonly " + str(path) + "  (or any DuckDB client)")
    print(
        "This is dbt's work file: a connection held on it makes the next `dbt build` fail."
        " BI tools open the serving file instead (make publish; README: Readers and failed builds)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
