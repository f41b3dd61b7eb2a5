"""Helpers for tests that run dbt end to end against throw-away DuckDB files."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from catalog_ml.warehouse import connect

REPO = Path(__file__).resolve().parents[2]
DBT = str(Path(sys.executable).with_name("dbt"))
FIXTURE = REPO / "tests" / "fixtures" / "raw_files"
# The scale of the one full demo build every integration test module shares (demo_build).
DEMO_SCALE = 0.1


# The parse each kind of dbt call leaves (its target/partial_parse.msgpack), shared by the
# calls of the session; see run_dbt.
SHARED_PARSES = tempfile.TemporaryDirectory(prefix="catalog_ml_dbt_parses_")


def run_dbt(
    args: list[str],
    workdir: Path,
    *,
    target: str = "duckdb",
    env: dict[str, str] | None = None,
    project: Path = REPO,
) -> subprocess.CompletedProcess[str]:
    """Run dbt on project (the repository, or a changed copy of it) with its own DuckDB file,
    target and log folders under workdir.

    Calls share their parse. Each call's target folder is new, so every call used to parse the
    project from scratch: half of a small call (`build -s +stg_users`: 20 s, 10 s with a shared
    parse; medians of 6 on two busy cores). dbt 1.11 re-uses a saved parse
    (target/partial_parse.msgpack) only if the command-line --vars, the target, the profile's
    connection values (the DuckDB path among them) and the env vars read in dbt_project.yml
    are unchanged: any --vars change means a full parse, even of a var no config reads.
    Otherwise it re-parses just the files whose contents changed. So:
    - dbt runs in workdir (`--project-dir` the repository) on a relative DuckDB path: the
      profile is the same in every workdir. (raw_data_path, if relative, is read from workdir.)
    - the parse of the latest call with the same target, --vars and env is copied into the
      call's target folder, and its own parse is kept for the next such call.
    dbt checks a copied parse itself and parses afresh where it does not hold, so the sharing
    can make a call slower by the copy only, never wrong. Not dbtRunner(manifest=...): a
    preloaded manifest keeps the vars it was parsed with in configs (a model enabled only in
    demo mode stays enabled with raw_source: files).
    """
    workdir.mkdir(parents=True, exist_ok=True)
    full_env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(REPO),
        "CATALOG_ML_DUCKDB_PATH": "warehouse.duckdb",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **(env or {}),
    }
    variables = args[args.index("--vars") + 1] if "--vars" in args else ""
    key = repr((str(project), target, variables, sorted((env or {}).items())))
    shared = Path(SHARED_PARSES.name) / (hashlib.sha256(key.encode()).hexdigest() + ".msgpack")
    own = workdir / "target" / "partial_parse.msgpack"
    if shared.exists():
        own.parent.mkdir(exist_ok=True)
        shutil.copyfile(shared, own)
    command = [DBT, *args, "--target", target, "--project-dir", str(project)]
    command += ["--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs")]
    result = subprocess.run(command, cwd=workdir, env=full_env, capture_output=True, text=True)
    if own.exists():
        shutil.copyfile(own, shared)
    return result


def run_bench(module: str, args: list[str], workdir: Path) -> dict:
    """Run a benchmark command (`python -m <module> <args>`) from the repository with its work
    folder kept under workdir; assert it exits 0. Its stdout, the figures of its --json and
    the work folder (warehouse.duckdb in it, for query)."""
    env = {**os.environ, "DBT_PROFILES_DIR": str(REPO), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    command = [sys.executable, "-m", module, *args, "--work", str(workdir / "work"), "--keep"]
    command += ["--json", str(workdir / "bench.json")]
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-6000:]
    return {
        "stdout": result.stdout,
        "figures": json.loads((workdir / "bench.json").read_text()),
        "work": workdir / "work",
    }


@pytest.fixture(scope="session")
def query() -> Callable[[Path, str], list[tuple]]:
    """Run one read-only query against the warehouse a run_dbt call wrote under workdir."""

    def _query(workdir: Path, sql: str) -> list[tuple]:
        with connect(workdir / "warehouse.duckdb") as con:
            return con.execute(sql).fetchall()

    return _query


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One full `dbt build` of the demo at DEMO_SCALE, shared by every test that reads it."""
    workdir = tmp_path_factory.mktemp("demo")
    result = run_dbt(["build", "--vars", f"{{demo_scale: {DEMO_SCALE}}}"], workdir)
    assert result.returncode == 0, result.stdout[-8000:]
    return workdir


MF = str(Path(sys.executable).with_name("mf"))


@pytest.fixture(scope="session")
def mf_project(demo_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project as MetricFlow sees it: mf reads <project>/target/semantic_manifest.json,
    so a folder of links to the repository with the demo build's target instead."""
    project = tmp_path_factory.mktemp("mf_project")
    for entry in REPO.iterdir():
        if entry.name not in {"target", "logs", ".git"}:
            (project / entry.name).symlink_to(entry)
    (project / "target").symlink_to(demo_build / "target")
    return project


def run_mf(args: list[str], project: Path, workdir: Path) -> subprocess.CompletedProcess[str]:
    """Run MetricFlow's CLI on project against the warehouse a run_dbt call wrote under workdir."""
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(REPO),
        "CATALOG_ML_DUCKDB_PATH": str(workdir / "warehouse.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    return subprocess.run([MF, *args], cwd=project, env=env, capture_output=True, text=True)
