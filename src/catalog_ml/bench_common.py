"""What the benchmark commands share (catalog_ml.bench_matching, catalog_ml.bench_recs): the
work folder, one `dbt build` in files mode timed and measured, the failure report, and number
formatting. Both read the built warehouse through catalog_ml.warehouse.connect.

A work folder holds one run: raw/ (the raw-contract folder the build reads), the DuckDB file
warehouse.duckdb, dbt's target/ and logs/, and dbt_build.log.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

DBT_TAIL_LINES = 60
RUN_FOLDERS = ("raw", "target", "logs")
RUN_FILES = ("warehouse.duckdb", "warehouse.duckdb.wal", "dbt_build.log")


class WorkFolderError(ValueError):
    """The work folder given cannot be used (not empty and not a previous run's)."""


@contextmanager
def work_folder(work: Path | None, prefix: str, keep: bool) -> Iterator[Path]:
    """The run's work folder, emptied of a previous run's files: `work`, or a new temporary
    folder named `prefix...` when None. Afterwards a folder this call created is removed and a
    given one loses the run's files, unless `keep`. A given folder that holds anything but a
    previous run raises WorkFolderError before anything is written."""
    created = work is None or not work.exists()
    folder = (Path(tempfile.mkdtemp(prefix=prefix)) if work is None else work).resolve()
    if not created and any(folder.iterdir()) and not (folder / "raw").is_dir():
        raise WorkFolderError(f"work folder {folder} is not empty and not a previous run's")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _remove_run_files(folder)
        yield folder
    finally:
        if keep:
            print(f"work folder kept: {folder}")
        elif created:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            _remove_run_files(folder)


def _remove_run_files(folder: Path) -> None:
    for name in RUN_FOLDERS:
        shutil.rmtree(folder / name, ignore_errors=True)
    for name in RUN_FILES:
        (folder / name).unlink(missing_ok=True)


def dbt_executable() -> str:
    """The dbt beside this Python (the virtualenv's), else the one on PATH."""
    dbt = Path(sys.executable).with_name("dbt")
    return str(dbt) if dbt.exists() else "dbt"


def run_build(
    raw_folder: Path, work: Path, project_dir: Path, extra_vars: dict | None = None
) -> dict:
    """`dbt build` in files mode on raw_folder as one subprocess (with `extra_vars`, for
    example {catalog_candidates_per_offer: 30}), its output in work/dbt_build.log; wall
    seconds and the peak resident memory of the dbt process."""
    vars_ = json.dumps(
        {**(extra_vars or {}), "raw_source": "files", "raw_data_path": str(raw_folder)}
    )
    command = [dbt_executable(), "build", "--vars", vars_, "--target", "duckdb"]
    command += ["--project-dir", str(project_dir)]
    command += ["--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    env = {
        **os.environ,
        "CATALOG_ML_DUCKDB_PATH": str(work / "warehouse.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    env.setdefault("DBT_PROFILES_DIR", str(project_dir))
    log = work / "dbt_build.log"
    started = time.perf_counter()
    with open(log, "w") as handle:
        result = subprocess.run(
            command, cwd=project_dir, env=env, stdout=handle, stderr=subprocess.STDOUT
        )
    seconds = time.perf_counter() - started
    # ru_maxrss of the largest waited-for child: dbt runs in one process (kilobytes on
    # Linux, bytes on macOS).
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    peak_bytes = peak if sys.platform == "darwin" else peak * 1024
    return {
        "returncode": result.returncode,
        "log": str(log),
        "wall_seconds": round(seconds, 2),
        "peak_memory_mb": round(peak_bytes / 2**20, 1),
    }


def report_build_failure(run: dict, keep: bool) -> None:
    """The tail of dbt's output and what failed, on stderr."""
    tail = Path(run["log"]).read_text(errors="replace").splitlines()[-DBT_TAIL_LINES:]
    print("\n".join(tail), file=sys.stderr)
    hint = "" if keep else "; rerun with --keep to keep the work folder and log"
    print(f"error: dbt build failed (exit {run['returncode']}){hint}", file=sys.stderr)


def failed_nodes(work: Path) -> list[dict]:
    """The nodes of the last build in work/target that errored, failed or were skipped
    (dbt's run_results.json): unique_id, status and the first line of the message."""
    path = work / "target" / "run_results.json"
    if not path.is_file():
        return []
    results = json.loads(path.read_text()).get("results", [])
    return [
        {
            "unique_id": result["unique_id"],
            "status": result["status"],
            "message": ((result.get("message") or "").strip().splitlines() or [""])[0],
        }
        for result in results
        if result.get("status") in ("error", "fail", "skipped", "runtime error")
    ]


def project_var(project_dir: Path, name: str, default):
    """A var's default in the project's dbt_project.yml, else `default`."""
    try:
        project = yaml.safe_load((project_dir / "dbt_project.yml").read_text())
        value = project["vars"][name]
    except (OSError, KeyError, TypeError, yaml.YAMLError):
        return default
    return default if value is None else value


def write_json(path: Path, result: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")


def json_number(value):
    """DuckDB decimals (and numpy numbers) as floats for JSON; ints and None unchanged."""
    return None if value is None else float(value) if not isinstance(value, int) else value


def fmt(value, digits: int = 3) -> str:
    """A figure for a printed table; '-' for None."""
    return "-" if value is None else f"{value:.{digits}f}"


def add_build_arguments(parser: argparse.ArgumentParser, repo: Path, vars_example: str) -> None:
    """The options every benchmark command shares: work folder, --keep, --json, --vars (more
    dbt vars, as YAML) and the hidden --project-dir."""
    parser.add_argument(
        "--work",
        type=Path,
        help="work folder for the raw files, the DuckDB file and dbt's logs (default: a new"
        " temporary folder)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder afterwards")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument(
        "--vars",
        type=yaml.safe_load,
        default={},
        help=f"more dbt vars for the build, as YAML: '{vars_example}'",
    )
    parser.add_argument("--project-dir", type=Path, default=repo, help=argparse.SUPPRESS)
