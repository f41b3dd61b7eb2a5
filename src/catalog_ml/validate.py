"""Validate raw files against the raw data contract with Great Expectations.

    python -m catalog_ml.validate [RAW_DATA_PATH] [--docs-dir target/ge_data_docs]
                                  [--vars '{raw_max_price: 5000}']

Checks every contract file present in the folder (<table>.csv or <table>.parquet, as in
files mode; the folder defaults to dbt's var raw_data_path in dbt_project.yml), writes
Great Expectations data docs, prints a summary and exits 1 when a file breaks the
contract (2 when there is nothing to validate). Run it before `dbt build` in files mode;
pass the same --vars as the build when it changes the raw value limits (raw_max_price,
raw_max_text_length, raw_max_long_text_length).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import yaml

from catalog_ml.contract import CONTRACT_PATH, load_contract, load_limits


def default_raw_data_path(project_dir: Path) -> str:
    """dbt's var raw_data_path, so make validate and files mode look at the same folder."""
    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text())
    return str(project["vars"]["raw_data_path"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("raw_data_path", nargs="?", help="folder of raw files (default: dbt var)")
    parser.add_argument("--project-dir", default=".", help="dbt project folder (default: .)")
    parser.add_argument(
        "--docs-dir",
        default="target/ge_data_docs",
        help="where to write Great Expectations data docs, relative to the project folder",
    )
    parser.add_argument(
        "--vars", default="", help="dbt vars as YAML, as given to dbt build (limits only)"
    )
    args = parser.parse_args(argv)
    project_dir = Path(args.project_dir)
    folder = Path(args.raw_data_path or default_raw_data_path(project_dir))
    tables = load_contract(project_dir / CONTRACT_PATH)
    limits = load_limits(project_dir, yaml.safe_load(args.vars) or {} if args.vars else {})
    if not folder.is_dir():
        print(f"raw data folder '{folder}' does not exist", file=sys.stderr)
        return 2

    from catalog_ml.expectations import find_raw_files, validate_folder

    if not find_raw_files(folder, tables):
        names = ", ".join(f"{name}.csv" for name in tables)
        print(f"no raw file in '{folder}' (expected any of {names} or .parquet)", file=sys.stderr)
        return 2
    started = time.perf_counter()
    docs_dir = project_dir / args.docs_dir
    reports = validate_folder(folder, tables, docs_dir, limits)
    for report in reports:
        files = " and ".join(path.name for path in report.files)
        if report.success:
            print(f"PASS {files}: {report.rows} rows, {report.expectations} expectations")
        else:
            print(f"FAIL {files}: {len(report.findings)} of {report.expectations} expectations")
            for finding in report.findings:
                print(f"  {finding.message(report.rows)}")
    absent = sorted(set(tables) - {report.table for report in reports})
    failed = [report for report in reports if not report.success]
    print(
        f"{len(reports) - len(failed)} of {len(reports)} raw files pass the contract in"
        f" {time.perf_counter() - started:.1f}s"
        + (f" (not present, not checked: {', '.join(absent)})" if absent else "")
    )
    print(f"data docs: {docs_dir / 'index.html'}")
    if failed:
        print(
            f"{', '.join(' and '.join(p.name for p in r.files) for r in failed)} in '{folder}'"
            f" break the raw data contract ({CONTRACT_PATH}); see FAIL above",
            file=sys.stderr,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
