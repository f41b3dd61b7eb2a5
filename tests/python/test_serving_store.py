"""The online store's life on the serving fixtures (serving_fixtures.py): the store going
down and coming back, reloads that switch versions atomically, a failed load, and worker
processes serving what the app serves."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import httpx
import pytest
from fastapi.testclient import TestClient
from serving_fixtures import REPO, SALT, build_serving_file

from catalog_ml.privacy import pseudonymise
from catalog_ml.serving.redis_server import RedisServer, free_port
from catalog_ml.serving.store import Store

# The fixtures (redis_server, serving_file, store, client).
pytest_plugins = ["serving_fixtures"]


def test_store_down_is_503_with_a_reason_and_a_restart_recovers(
    client: TestClient, redis_server: RedisServer, store: Store
):
    assert client.get("/recommendations/U1").status_code == 200
    redis_server.stop()
    try:
        answer = client.get("/recommendations/U1")
        assert answer.status_code == 503
        assert "store unreachable" in answer.json()["detail"] and answer.json()["request_id"]
        health = client.get("/health")
        assert health.status_code == 503
        assert health.json()["status"] == "degraded" and not health.json()["store_reachable"]
        assert "store unreachable" in health.json()["reason"]
    finally:
        redis_server.start()  # same port and folder: the shutdown snapshot is read back
    answer = client.get("/recommendations/U1")  # same app, same client pool
    assert answer.status_code == 200 and answer.json()["served_from"] == "personal"
    store.client.flushdb()  # a store that lost its data: 503 until the next load
    answer = client.get("/recommendations/U1")
    assert answer.status_code == 503 and "no version" in answer.json()["detail"]
    health = client.get("/health")
    assert health.status_code == 503 and health.json()["store_reachable"]
    assert "no version" in health.json()["reason"]


def test_a_reload_switches_versions_atomically(
    store: Store, client: TestClient, tmp_path: Path, serving_file: Path
):
    second = tmp_path / "second.duckdb"
    build_serving_file(second, model_version="ranker-2", score_shift=0.5)
    old = store.current_version()
    seen: list[tuple[str, str, str, bool]] = []
    errors: list[BaseException] = []
    loading = threading.Event()
    in_load = threading.Event()
    done = threading.Event()

    def reader() -> None:
        pseudonym = pseudonymise("U250", SALT)
        try:
            while not done.is_set() or len(seen) < 5:
                during = in_load.is_set()
                read = store.read(f"rec:{pseudonym}")
                versions = {row["model_version"] for row in read.value}
                seen.append((read.version, read.meta["model_version"], versions.pop(), during))
                assert not versions, "one list mixed two loads"
                if len(seen) == 3:
                    loading.set()
        except BaseException as error:  # reported in the main thread
            errors.append(error)
            loading.set()

    thread = threading.Thread(target=reader)
    thread.start()
    loading.wait(10)
    in_load.set()
    report = store.load(second, chunk=50)  # many small pipeline chunks: readers interleave
    in_load.clear()
    done.set()
    thread.join(30)
    assert not errors, errors
    assert report["previous_version"] == old and report["version"] != old
    # every read saw one whole version: the list's model version is its meta's
    assert all(meta_model == list_model for _, meta_model, list_model, _ in seen)
    assert sum(during for *_, during in seen) >= 3, "no read happened during the load"
    order = [version for version, *_ in seen]
    switch = order.index(report["version"]) if report["version"] in order else len(order)
    assert set(order[:switch]) == {old} and set(order[switch:]) <= {report["version"]}
    assert store.versions() == {report["version"]}  # the old version's keys are gone
    assert report["rows"] == 300 * 12 + 15 + 3 + 3 and report["rows_per_second"] > 0
    body = client.get("/recommendations/U250").json()
    assert body["model_version"] == "ranker-2" and body["store_version"] == report["version"]


def test_a_failed_load_leaves_the_served_version_and_the_next_load_cleans_up(
    store: Store, client: TestClient, tmp_path: Path, serving_file: Path
):
    broken = tmp_path / "broken.duckdb"
    build_serving_file(broken, model_version="ranker-broken")
    with duckdb.connect(str(broken)) as con:  # recommendations load, then the matches fail
        con.execute("alter table fct_offer_matches drop column decision")
    served = store.current_version()
    with pytest.raises(duckdb.Error):
        store.load(broken, chunk=10)  # small chunks: some keys are written before it fails
    assert store.current_version() == served
    assert len(store.versions()) == 2  # the failed load's keys, pointed to by nobody
    assert client.get("/recommendations/U3").json()["model_version"] == "ranker-1"
    with duckdb.connect(str(tmp_path / "empty.duckdb")) as con:
        con.execute("create table build_status as select 1 as x")
    with pytest.raises(ValueError, match="lacks fct_recommendations"):
        store.load(tmp_path / "empty.duckdb")
    report = store.load(serving_file)
    assert store.versions() == {report["version"]}  # the next load removed the leftovers
    assert client.get("/recommendations/U3").json()["store_version"] == report["version"]


def test_two_worker_processes_serve_what_the_app_serves(
    client: TestClient, redis_server: RedisServer, serving_file: Path, tmp_path: Path
):
    """`python -m catalog_ml.serving.server --workers 2` (uvicorn's factory reads the settings
    from the environment in each worker) answers as the app does in process."""
    port = free_port()
    env = {**os.environ, "CATALOG_ML_PII_SALT": SALT}
    command = [sys.executable, "-m", "catalog_ml.serving.server", "--port", str(port), "--workers"]
    command += ["2", "--redis-url", redis_server.url, "--serving-file", str(serving_file)]
    with (tmp_path / "api.log").open("wb") as log:
        api = subprocess.Popen(command, env=env, stdout=log, stderr=log, cwd=REPO)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180  # two workers start slowly on a busy machine
        while True:
            assert api.poll() is None, (tmp_path / "api.log").read_text()
            try:
                if httpx.get(base + "/ping", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the API did not start"
                time.sleep(0.2)
        quiet = "log_impressions=false"  # the in-process app logs impressions, this one not
        for path in (
            f"/recommendations/U17?k=4&{quiet}",
            f"/recommendations/x?{quiet}",
            "/related/P2",
        ):
            served, expected = httpx.get(base + path).json(), client.get(path).json()
            served.pop("request_id"), expected.pop("request_id")
            assert served == expected
        assert httpx.get(base + "/health").json()["status"] == "ok"
    finally:
        api.terminate()
        api.wait(30)
