"""The recommendations benchmark command (issue 14); the package docstring says what it does."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import duckdb

from catalog_ml.bench_common import (
    WorkFolderError,
    add_build_arguments,
    failed_nodes,
    project_var,
    report_build_failure,
    run_build,
    work_folder,
    write_json,
)
from catalog_ml.bench_recs.bootstrap import SEED
from catalog_ml.bench_recs.figures import figures
from catalog_ml.bench_recs.report import format_report
from catalog_ml.contract import CONTRACT_PATH, load_contract

REPO = Path(__file__).resolve().parents[3]
REQUIRED_TABLES = ("products", "users", "events")
COUNTED_TABLES = ("events", "users", "products")
FORMATS = ("csv", "parquet")


class BenchDataError(ValueError):
    """The folder or an option cannot be used; the message says which and why."""


def find_tables(folder: Path, tables: Sequence[str]) -> dict[str, Path]:
    """Each raw table's file in the folder (<table>.csv or <table>.parquet); the required
    ones must be there, and no table twice."""
    if not folder.is_dir():
        raise BenchDataError(f"{folder}: not a folder")
    found = {}
    for table in tables:
        files = [
            folder / f"{table}.{ext}" for ext in FORMATS if (folder / f"{table}.{ext}").is_file()
        ]
        if len(files) > 1:
            raise BenchDataError(f"{folder}: both {files[0].name} and {files[1].name}; keep one")
        if files:
            found[table] = files[0]
        elif table in REQUIRED_TABLES:
            raise BenchDataError(
                f"{folder}: no {table}.csv or {table}.parquet (the benchmark needs"
                f" {', '.join(REQUIRED_TABLES)}; convert ratings with"
                " python -m catalog_ml.bench_recs.convert)"
            )
    return found


def prepare_raw_folder(folder: Path, out: Path, project_dir: Path = REPO) -> dict[str, Path]:
    """The work folder's copy of the data: the folder's raw-table files linked (copied where
    links are not possible) and a header-only CSV for each other table of the contract."""
    contract = load_contract(project_dir / CONTRACT_PATH)
    found = find_tables(folder, list(contract))
    out.mkdir(parents=True, exist_ok=True)
    for table, spec in contract.items():
        if table in found:
            source = found[table].resolve()
            target = out / source.name
            try:
                os.symlink(source, target)
            except OSError:
                shutil.copyfile(source, target)
        else:
            columns = [c for c in spec.column_names if c != "loaded_at"]
            (out / f"{table}.csv").write_text(",".join(columns) + "\n", encoding="utf-8")
    return found


def count_rows(path: Path) -> int | None:
    """Rows of a raw file as the build reads it (None when DuckDB cannot read it)."""
    reader = (
        "read_parquet(?)"
        if path.suffix == ".parquet"
        else ("read_csv(?, header = true, all_varchar = true)")
    )
    try:
        with duckdb.connect() as con:
            return con.execute(f"select count(*) from {reader}", [str(path)]).fetchone()[0]
    except duckdb.Error:
        return None


def parse_cutoff(text: str | None) -> str | None:
    """The cutoff as 'YYYY-MM-DD HH:MM:SS' text for var recs_eval_cutoff."""
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text.strip()).strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise BenchDataError(
            f"--cutoff '{text}' is not a timestamp (YYYY-MM-DD or 'YYYY-MM-DD HH:MM:SS')"
        ) from None


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m catalog_ml.bench_recs",
        description="Benchmark the recommendation methods on interaction data in the raw"
        " contract (products, users, events; other tables optional).",
    )
    parser.add_argument("folder", type=Path, help="the raw-contract folder")
    parser.add_argument(
        "--cutoff",
        help="evaluation cutoff (var recs_eval_cutoff), e.g. '2026-01-15 00:00:00'; default:"
        " midnight after the last clean event minus recs_holdout_days",
    )
    add_build_arguments(parser, REPO, "{recs_candidates_per_user: 100}")
    parser.add_argument(
        "--bootstrap",
        type=int,
        default=1000,
        metavar="N",
        help="bootstrap resamples of the evaluated users (default 1000; 0: no intervals)",
    )
    parser.add_argument("--seed", type=int, default=SEED, help=f"bootstrap seed ({SEED})")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    project_dir = args.project_dir.resolve()
    extra_vars = dict(args.vars or {})
    try:
        if args.bootstrap < 0:
            raise BenchDataError(f"--bootstrap {args.bootstrap}: must be 0 or more")
        cutoff = parse_cutoff(args.cutoff)
        if cutoff:
            extra_vars["recs_eval_cutoff"] = cutoff
        found = find_tables(args.folder, list(load_contract(project_dir / CONTRACT_PATH)))
        with work_folder(args.work, "bench_recs_", args.keep) as work:
            raw = work / "raw"
            prepare_raw_folder(args.folder, raw, project_dir)
            log = work / "dbt_build.log"
            print(f"linked {args.folder} to {raw}; running dbt build (log: {log})", flush=True)
            run = run_build(raw, work, project_dir, extra_vars)
            failed = failed_nodes(work) if run["returncode"] != 0 else []
            try:
                result = figures(work / "warehouse.duckdb", args.bootstrap, args.seed)
            except duckdb.Error as error:
                if run["returncode"] == 0:
                    raise
                report_build_failure(run, args.keep)
                print(f"no figures: {error}", file=sys.stderr)
                return 1
            kept = result.pop("kept")
            counts = {}
            for table in COUNTED_TABLES:
                counts[table] = count_rows(found[table])
                counts[f"{table}_kept"] = kept[table]
            result = {
                "data": str(args.folder),
                "k": int(extra_vars.get("recs_k", project_var(project_dir, "recs_k", 10))),
                "vars": extra_vars,
                **result,
                "counts": counts,
                "run": {k: v for k, v in run.items() if k != "log"},
                "failed_nodes": failed,
            }
            print(format_report(result), flush=True)
            if args.json:
                write_json(args.json, result)
            if run["returncode"] != 0:
                report_build_failure(run, args.keep)
                return 1
            return 0
    except (BenchDataError, WorkFolderError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
