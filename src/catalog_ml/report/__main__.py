"""python -m catalog_ml.report WAREHOUSE [--out PATH]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from catalog_ml.report.page import render, write_page
from catalog_ml.warehouse import connect


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m catalog_ml.report", description="The HTML report of a build's warehouse."
    )
    parser.add_argument("warehouse", help="path to the DuckDB file a build wrote")
    parser.add_argument(
        "--out", default="target/report/index.html", help="page to write (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    path = Path(args.warehouse).resolve()
    if not path.exists():
        print(f"no warehouse at {path}: run `make demo` first", file=sys.stderr)
        return 1
    with connect(path, read_only=True) as con:
        page = render(con, "catalog-ml report", str(path))
    write_page(args.out, page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
