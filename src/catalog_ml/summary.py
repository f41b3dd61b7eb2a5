"""What `make demo` ends with: the build's headline figures (catalog_ml.headline), where the
warehouse is and how to open it. `python -m catalog_ml.summary PATH [--relations]`
(--relations lists every table and view with its row count)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from catalog_ml.headline import as_text, headline
from catalog_ml.warehouse import connect


def describe(path: str) -> list[tuple[str, str, str, int]]:
    """(schema, table, kind, rows) for every table and view in the warehouse, by name."""
    with connect(path, read_only=True) as con:
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


def how_to_open(path: Path) -> str:
    """How to read the results without a DuckDB CLI installed."""
    python = Path(sys.executable)
    return "\n".join(
        [
            "Open the results:",
            "  make report  -> target/report/index.html (figures; open it in a browser)",
            "  make docs    -> target/docs/index.html (dbt docs: models, lineage, owners)",
            f'  {python} -c "from catalog_ml.warehouse import connect; '
            f"print(connect('{path}').sql('select * from fct_recommendations limit 5'))\"",
            "  make serve  -> the read API (the published marts) on http://127.0.0.1:8000/docs",
            "This is dbt's work file: a connection held on it makes the next `dbt build` fail."
            " BI tools open the serving file instead (make publish; README: Readers and failed"
            " builds).",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m catalog_ml.summary", description=__doc__)
    parser.add_argument("warehouse", help="path to the DuckDB file a build wrote")
    parser.add_argument("--relations", action="store_true", help="list every relation")
    args = parser.parse_args(argv)
    path = Path(args.warehouse).resolve()
    if not path.exists():
        print(f"no warehouse at {path}: run `make demo` first", file=sys.stderr)
        return 1
    rows = describe(str(path))
    schemas = sorted({schema for schema, _, _, _ in rows})
    print(
        f"\nWarehouse: {path} ({path.stat().st_size / 1e6:.1f} MB), {len(rows)} relations"
        f" in schemas {', '.join(schemas)}"
    )
    if args.relations:
        width = max(len(f"{schema}.{name}") for schema, name, _, _ in rows)
        for schema, name, kind, count in rows:
            print(f"  {f'{schema}.{name}':<{width}}  {kind:<10} {count:>12,} rows")
    with connect(path, read_only=True) as con:
        print("\n" + as_text(headline(con)) + "\n")
    print(how_to_open(path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
