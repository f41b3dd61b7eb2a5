"""catalog_ml.publish on tiny DuckDB files built here: readers of the serving file are never
blocked and keep the old data until they reconnect, a failed publish leaves the old file as it
was, a build that is not green is refused, and the build-status tables are written."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from catalog_ml import publish as publish_module
from catalog_ml.publish import PublishError, publish

PROJECT_VERSION = "9.8.7"


def node(name: str, *, access: str = "protected", materialized: str = "table", **extra) -> dict:
    return {
        "resource_type": "model",
        "name": name,
        "alias": name,
        "database": "work",
        "schema": "main",
        "access": access,
        "description": f"The {name} model.",
        "columns": {"id": {"name": "id", "description": "Row id."}},
        "config": {"materialized": materialized, "enabled": True},
        **extra,
    }


def write_target(
    target: Path, *, statuses: dict[str, str] | None = None, command: str = "build"
) -> None:
    """A manifest with two public marts, a private model, an exposure and a semantic model."""
    nodes = {
        "model.p.fct_a": node("fct_a", access="public"),
        "model.p.fct_b": node("fct_b", access="public"),
        "model.p.int_private": node("int_private", access="private"),
        "model.p.eval_c": node("eval_c"),
        "model.p.mon_view": node("mon_view", materialized="view"),
        "model.p.spine": node("spine", time_spine={"standard_granularity_column": "id"}),
    }
    manifest = {
        "metadata": {
            "invocation_id": "manifest-invocation",
            "invocation_started_at": "2026-01-02T03:00:00Z",
            "project_name": "p",
        },
        "nodes": nodes,
        "exposures": {
            "exposure.p.dash": {
                "name": "dash",
                "depends_on": {"nodes": ["model.p.eval_c", "model.p.mon_view"]},
            }
        },
        "semantic_models": {
            "semantic_model.p.sm": {"name": "sm", "depends_on": {"nodes": ["model.p.fct_a"]}}
        },
    }
    statuses = statuses or {unique_id: "success" for unique_id in nodes}
    run_results = {
        "metadata": {
            "invocation_id": "build-invocation-1",
            "generated_at": "2026-01-02T03:04:05.123456Z",
            "invocation_started_at": "2026-01-02T03:00:00Z",
            "dbt_version": "1.11.0",
        },
        "args": {"which": command, "select": []},
        "results": [
            {"unique_id": unique_id, "status": status} for unique_id, status in statuses.items()
        ],
    }
    target.mkdir(parents=True, exist_ok=True)
    (target / "manifest.json").write_text(json.dumps(manifest))
    (target / "run_results.json").write_text(json.dumps(run_results))


def write_work(path: Path, rows: int) -> None:
    """The work file: each model as a table of `rows` ids (mon_view a view over fct_a)."""
    path.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as con:
        for name in ["fct_a", "fct_b", "int_private", "eval_c", "spine"]:
            con.execute(f"create table {name} as select range as id from range({rows})")
        # dbt-duckdb names a view's inputs with the work database's name, as here
        con.execute("create view mon_view as select count(*) as id from work.main.fct_a")


@pytest.fixture
def project(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "dbt_project.yml").write_text(f"name: p\nversion: '{PROJECT_VERSION}'\n")
    write_target(tmp_path / "target")
    write_work(tmp_path / "work.duckdb", rows=3)
    return {
        "dir": tmp_path,
        "target": tmp_path / "target",
        "work": tmp_path / "work.duckdb",
        "serving": tmp_path / "serving" / "catalog_ml_serving.duckdb",
    }


def run_publish(project: dict[str, Path]) -> dict:
    return publish(project["work"], project["serving"], project["target"], project["dir"])


def read(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_publishes_the_bi_tables_and_the_build_status(project):
    status = run_publish(project)
    serving = project["serving"]
    tables = {row[0] for row in read(serving, "select table_name from duckdb_tables()")}
    # public marts, exposure inputs (the view as a table), semantic models, the time spine
    assert tables == {
        "fct_a",
        "fct_b",
        "eval_c",
        "mon_view",
        "spine",
        "build_status",
        "build_status_tables",
    }
    assert read(serving, "select count(*) from fct_a") == [(3,)]
    assert read(serving, "select id from mon_view") == [(3,)]
    assert read(serving, "select comment from duckdb_tables() where table_name = 'fct_a'") == [
        ("The fct_a model.",)
    ]
    (row,) = read(
        serving,
        "select dbt_invocation_id, dbt_command, project_version, tables_published,"
        " rows_published, cast(build_finished_at as varchar), published_at >= build_finished_at"
        " from build_status",
    )
    assert row == (
        "build-invocation-1",
        "build",
        PROJECT_VERSION,
        5,
        13,
        "2026-01-02 03:04:05.123456",
        True,
    )
    counts = dict(read(serving, "select table_name, row_count from build_status_tables"))
    assert counts == {"eval_c": 3, "fct_a": 3, "fct_b": 3, "mon_view": 1, "spine": 3}
    reasons = dict(read(serving, "select table_name, published_because from build_status_tables"))
    assert reasons["eval_c"] == "exposure dash" and reasons["fct_b"] == "public"
    assert reasons["spine"] == "time spine"
    assert status["dbt_invocation_id"] == "build-invocation-1"
    # nothing but the serving file is left in its folder
    assert sorted(path.name for path in serving.parent.iterdir()) == [serving.name]


def test_a_reader_keeps_the_old_data_and_is_never_blocked(project):
    run_publish(project)
    # A BI tool in another process holds a read-only connection on the serving file ...
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import sys, duckdb
                con = duckdb.connect(sys.argv[1], read_only=True)
                for line in sys.stdin:
                    count = con.execute("select count(*) from fct_a").fetchone()[0]
                    print(count, flush=True)
                """
            ),
            str(project["serving"]),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )

    def ask() -> int:
        reader.stdin.write("count\n")
        reader.stdin.flush()
        return int(reader.stdout.readline())

    try:
        assert ask() == 3
        # ... while a new build's publication is written and swapped in
        write_work(project["work"], rows=7)
        run_publish(project)  # would raise (lock) if the reader's file were written
        assert ask() == 3  # the open connection still reads the old publication
        assert read(project["serving"], "select count(*) from fct_a") == [(7,)]  # new readers
        assert ask() == 3
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)
    assert reader.returncode == 0


def test_a_publish_that_fails_mid_way_leaves_the_old_file_intact(project, monkeypatch):
    run_publish(project)
    before = project["serving"].read_bytes()
    copied = []
    real_copy = publish_module._copy_table

    def failing_copy(con, source, table):
        if copied:
            raise RuntimeError("killed mid-way")
        copied.append(table.name)
        return real_copy(con, source, table)

    write_work(project["work"], rows=7)
    monkeypatch.setattr(publish_module, "_copy_table", failing_copy)
    with pytest.raises(RuntimeError, match="killed mid-way"):
        run_publish(project)
    assert copied  # it failed after writing part of the new file
    assert project["serving"].read_bytes() == before
    assert read(project["serving"], "select count(*) from fct_a") == [(3,)]
    assert read(project["serving"], "select dbt_invocation_id from build_status") == [
        ("build-invocation-1",)
    ]
    # the half-written temporary file is gone
    assert sorted(path.name for path in project["serving"].parent.iterdir()) == [
        project["serving"].name
    ]


def test_a_build_that_is_not_green_is_not_published(project):
    run_publish(project)
    before = project["serving"].read_bytes()
    write_work(project["work"], rows=7)
    write_target(
        project["target"],
        statuses={"model.p.fct_a": "success", "test.p.not_null_fct_a_id": "fail"},
    )
    with pytest.raises(PublishError, match=r"not green.*not_null_fct_a_id \(fail\)"):
        run_publish(project)
    assert project["serving"].read_bytes() == before


def test_a_compile_after_a_build_is_not_taken_for_a_green_build(project):
    write_target(project["target"], command="compile")
    with pytest.raises(PublishError, match="'compile', not a build"):
        run_publish(project)
    assert not project["serving"].exists()


def test_a_build_missing_a_table_is_refused(project):
    with duckdb.connect(str(project["work"])) as con:
        con.execute("drop table fct_b")
    with pytest.raises(PublishError, match=r"not in the work file .*main\.fct_b"):
        run_publish(project)
    assert not project["serving"].exists()


def test_stale_temporary_files_of_killed_publishes_are_removed(project):
    project["serving"].parent.mkdir(parents=True)
    stale = project["serving"].with_name(f".{project['serving'].name}.publishing-999999999")
    stale.write_bytes(b"half a file")
    run_publish(project)
    assert not stale.exists()


def test_the_command_line_exits_1_and_says_the_serving_file_is_unchanged(project, capsys):
    write_target(project["target"], statuses={"model.p.fct_a": "error"})
    code = publish_module.main(
        [
            str(project["work"]),
            str(project["serving"]),
            "--target-path",
            str(project["target"]),
            "--project-dir",
            str(project["dir"]),
        ]
    )
    assert code == 1
    assert "is unchanged" in capsys.readouterr().err
