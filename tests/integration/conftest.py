"""Helpers for tests that run dbt end to end against throw-away DuckDB files."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]
DBT = str(Path(sys.executable).with_name("dbt"))
FIXTURE = REPO / "tests" / "fixtures" / "raw_files"
# The scale of the one full demo build every integration test module shares (demo_build).
DEMO_SCALE = 0.1


def run_dbt(
    args: list[str], workdir: Path, *, target: str = "duckdb", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run dbt in the repository with its own DuckDB file, target and log folders under workdir."""
    workdir.mkdir(parents=True, exist_ok=True)
    full_env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(REPO),
        "CATALOG_ML_DUCKDB_PATH": str(workdir / "warehouse.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **(env or {}),
    }
    command = [DBT, *args, "--target", target, "--target-path", str(workdir / "target")]
    command += ["--log-path", str(workdir / "logs")]
    return subprocess.run(command, cwd=REPO, env=full_env, capture_output=True, text=True)


@pytest.fixture(scope="session")
def query() -> Callable[[Path, str], list[tuple]]:
    """Run one read-only query against the warehouse a run_dbt call wrote under workdir."""

    def _query(workdir: Path, sql: str) -> list[tuple]:
        with duckdb.connect(str(workdir / "warehouse.duckdb"), read_only=True) as con:
            return con.execute(sql).fetchall()

    return _query


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One full `dbt build` of the demo at DEMO_SCALE, shared by every test that reads it."""
    workdir = tmp_path_factory.mktemp("demo")
    result = run_dbt(["build", "--vars", f"{{demo_scale: {DEMO_SCALE}}}"], workdir)
    assert result.returncode == 0, result.stdout[-8000:]
    return workdir
