"""The online store and the read API on a tiny serving file built here, with a real
redis-server started and stopped by the fixture on a free port (installed with apt-get when
missing; the tests skip, saying why, only when it cannot be installed)."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from catalog_ml.contract import load_contract
from catalog_ml.privacy import pseudonymise
from catalog_ml.raw_values import clean_text, first_problem
from catalog_ml.serving import schemas
from catalog_ml.serving.api import Settings, create_app
from catalog_ml.serving.redis_server import RedisServer, RedisUnavailable, free_port
from catalog_ml.serving.store import Store

REPO = Path(__file__).resolve().parents[2]
SALT = "test-salt"
USERS = [f"U{n}" for n in range(1, 301)]
FINISHED = datetime(2026, 11, 1, 12, 0, 0)


def build_serving_file(
    path: Path, model_version: str = "ranker-1", score_shift: float = 0.0
) -> None:
    """A serving file with the tables the store loads: 300 users x 12 ranked products, related
    items for P1..P5, three offers, a popularity list of three products."""
    with duckdb.connect(str(path)) as con:
        con.execute(
            "create table fct_recommendations (user_id varchar, rank integer, product_id varchar,"
            " score double, retrieval_source varchar, model_version varchar, generated_at timestamp)"
        )
        con.executemany(
            "insert into fct_recommendations values (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    pseudonymise(user, SALT),
                    rank,
                    f"P{(index + rank) % 40 + 1}",
                    round(1.0 - rank / 20 + score_shift, 6),
                    "collaborative" if rank % 2 else "history",
                    model_version,
                    FINISHED,
                )
                for index, user in enumerate(USERS)
                for rank in range(1, 13)
            ],
        )
        con.execute(
            "create table fct_related_items (product_id varchar, rank integer,"
            " related_product_id varchar, score double, source varchar)"
        )
        con.executemany(
            "insert into fct_related_items values (?, ?, ?, ?, ?)",
            [
                (f"P{p}", rank, f"P{p + rank}", 1.0 / rank, "content")
                for p in range(1, 6)
                for rank in range(1, 4)
            ],
        )
        con.execute(
            "create table fct_offer_matches (offer_id varchar, merchant_id varchar,"
            " product_id varchar, match_score double, decision varchar, decision_source varchar,"
            " model_version varchar, decided_at timestamp)"
        )
        con.executemany(
            "insert into fct_offer_matches values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                ("O1", "M1", "P1", 0.97, "matched", "model", "matcher-1", FINISHED),
                ("O2", "M1", None, 0.10, "no_match", "model", "matcher-1", FINISHED),
                ("O3", "M2", "P2", None, "matched", "gtin", None, FINISHED),
            ],
        )
        # The build's popularity list (fct_popular_items) as published: the store serves it
        # as is (the mart's unit test checks how the build computes it).
        con.execute(
            "create table fct_popular_items (rank integer, product_id varchar, score double,"
            " decayed_popularity double, user_count integer, model_version varchar,"
            " generated_at timestamp)"
        )
        con.executemany(
            "insert into fct_popular_items values (?, ?, ?, ?, ?, ?, ?)",
            [
                (1, "P7", 1.0, 6.0, 2, "popularity_half_life_14d", FINISHED),
                (2, "P8", 0.5, 3.0, 1, "popularity_half_life_14d", FINISHED),
                (3, "P9", 0.5 / 6, 0.5, 1, "popularity_half_life_14d", FINISHED),
            ],
        )
        con.execute(
            "create table build_status as select ?::timestamp as build_finished_at,"
            " ?::varchar as dbt_invocation_id, 'test' as project_version",
            [FINISHED, f"invocation-{model_version}"],
        )


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    try:
        server = RedisServer(free_port(), tmp_path_factory.mktemp("redis")).start()
    except RedisUnavailable as error:
        pytest.skip(f"redis-server cannot be installed or started here: {error}")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def serving_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("serving") / "serving.duckdb"
    build_serving_file(path)
    return path


@pytest.fixture
def store(redis_server: RedisServer, serving_file: Path) -> Store:
    store = Store.from_url(redis_server.url, timeout=5)
    store.client.flushdb()
    store.load(serving_file)
    return store


@pytest.fixture
def client(
    store: Store, redis_server: RedisServer, serving_file: Path, tmp_path: Path
) -> Iterator[TestClient]:
    settings = Settings(
        redis_url=redis_server.url,
        serving_file=serving_file,
        impressions_file=tmp_path / "raw" / "events.csv",
        salt=SALT,
    )
    with TestClient(create_app(settings)) as client:
        yield client


def assert_is_the_documented_model(body: dict, model: type[BaseModel]) -> None:
    """The hot paths encode their JSON themselves: it must be exactly what /docs promises
    (every field, no other, types valid), recursively for the items."""
    assert set(body) == set(model.model_fields)
    assert model.model_validate(body).model_dump(mode="json") == body
    for item in body.get("items", []):
        assert set(item) == set(schemas.Item.model_fields)


def mart_rows(serving_file: Path, user: str) -> list[tuple]:
    with duckdb.connect(str(serving_file), read_only=True) as con:
        return con.execute(
            "select rank, product_id, score, retrieval_source from fct_recommendations"
            " where user_id = ? order by rank limit 10",
            [pseudonymise(user, SALT)],
        ).fetchall()


def test_recommendations_are_the_users_ten_mart_rows(client: TestClient, serving_file: Path):
    answer = client.get("/recommendations/U17", params={"surface": "home"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["served_from"] == "personal"
    assert body["model_version"] == "ranker-1"
    assert body["request_id"] == answer.headers["x-request-id"] and len(body["request_id"]) == 32
    items = [(i["rank"], i["product_id"], i["score"], i["source"]) for i in body["items"]]
    assert len(items) == 10
    assert items == mart_rows(serving_file, "U17")
    assert_is_the_documented_model(body, schemas.Recommendations)
    assert len(client.get("/recommendations/U17?k=3").json()["items"]) == 3


def test_unknown_user_gets_the_popularity_fallback_flagged(client: TestClient):
    body = client.get("/recommendations/someone-new?k=5").json()
    assert body["served_from"] == "popularity_fallback"
    assert body["model_version"] == "popularity_half_life_14d@invocati"
    assert [item["product_id"] for item in body["items"]] == ["P7", "P8", "P9"]
    assert [item["score"] for item in body["items"]] == pytest.approx([1.0, 0.5, 0.5 / 6])
    assert {item["source"] for item in body["items"]} == {"popularity"}
    assert_is_the_documented_model(body, schemas.Recommendations)


@pytest.mark.parametrize(
    ("fast", "through_fastapi"),
    [
        ("/recommendations/U17?k=4&log_impressions=false", "/recommendations/U17?k=+4&log_impressions=no"),
        ("/recommendations/new?surface=pdp", "/recommendations/new?surface=pdp&utm=x"),
        ("/recommendations/U5?k=3&surface=home", "/recommendations/U5?k=03&k=3&surface=home"),
    ],
)  # fmt: skip
def test_the_fast_path_answers_as_fastapi_does(
    client: TestClient, tmp_path: Path, fast: str, through_fastapi: str
):
    """The same request in canonical form (fast path) and in another form (FastAPI's route):
    the same answer, impressions included."""
    answers = [client.get(path) for path in (fast, through_fastapi)]
    bodies = [answer.json() for answer in answers]
    for answer, body in zip(answers, bodies, strict=True):
        assert answer.status_code == 200 and answer.headers["x-request-id"] == body.pop(
            "request_id"
        )
        assert answer.headers["content-type"] == "application/json"
    assert bodies[0] == bodies[1]
    events = tmp_path / "raw" / "events.csv"
    logged = events.read_text().splitlines()[1:] if events.is_file() else []
    assert len(logged) == 2 * bodies[0]["impressions_logged"]


def test_related_and_matches(client: TestClient):
    related = client.get("/related/P2?k=2").json()
    assert [i["product_id"] for i in related["items"]] == ["P3", "P4"]
    assert related["model_version"].startswith("related@")
    assert_is_the_documented_model(related, schemas.Related)
    match = client.get("/matches/O1").json()
    assert (match["product_id"], match["decision"], match["model_version"]) == (
        "P1",
        "matched",
        "matcher-1",
    )
    rule = client.get("/matches/O3").json()
    assert rule["decision_source"] == "gtin" and rule["model_version"].startswith("rules@")


@pytest.mark.parametrize(
    ("path", "words", "model_version"),
    [
        ("/related/P999", "product 'P999'", "related@invocati"),
        ("/matches/O999", "offer 'O999' is unknown", "matcher-1"),
    ],
)
def test_unknown_ids_are_404_with_a_reason(
    client: TestClient, path: str, words: str, model_version: str
):
    answer = client.get(path)
    assert answer.status_code == 404
    body = answer.json()
    assert words in body["detail"] and body["store_version"] and body["request_id"]
    assert body["model_version"] == model_version


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/recommendations/U1?k=0", "k"),
        ("/recommendations/U1?k=101", "k"),
        ("/recommendations/U1?k=ten", "k"),
        ("/recommendations/bad%20id", "user_id"),
        ("/recommendations/U1?surface=Home%20Page", "surface"),
        ("/related/P1?user_id=a%2Cb", "user_id"),
        ("/matches/" + "O" * 129, "offer_id"),
    ],
)
def test_invalid_parameters_are_422_naming_the_field(client: TestClient, path: str, field: str):
    answer = client.get(path)
    assert answer.status_code == 422
    body = answer.json()
    assert body["request_id"] and body["detail"][0]["loc"][-1] == field


def test_health_reports_version_and_build_age(client: TestClient, store: Store):
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["store_reachable"]
    assert body["store_version"] == store.current_version()
    assert body["dbt_invocation_id"] == "invocation-ranker-1"
    assert body["model_version"] == "ranker-1"
    assert body["build_finished_at"] == FINISHED.isoformat()
    age = (datetime.now(UTC).replace(tzinfo=None) - FINISHED).total_seconds()
    assert body["build_age_seconds"] == pytest.approx(age, abs=60)
    assert body["is_store_behind_serving_file"] is False
    assert "/recommendations/{user_id}" in client.get("/openapi.json").json()["paths"]


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


def test_served_lists_are_logged_as_impressions_staging_keeps(client: TestClient, tmp_path: Path):
    first = client.get("/recommendations/U5?k=4&surface=home").json()
    second = client.get("/related/P1?user_id=U5").json()
    unlogged = client.get("/related/P2").json()  # no user: nothing to log
    skipped = client.get("/recommendations/U5?log_impressions=false").json()
    assert (first["impressions_logged"], second["impressions_logged"]) == (4, 3)
    assert unlogged["impressions_logged"] == skipped["impressions_logged"] == 0
    contract = load_contract(REPO / "models" / "staging" / "_raw__sources.yml")["events"]
    with (tmp_path / "raw" / "events.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == contract.column_names
    assert len(rows) == 7
    assert [(r["request_id"], r["position"], r["surface"]) for r in rows[:4]] == [
        (first["request_id"], str(p), "home") for p in range(1, 5)
    ]
    assert [r["product_id"] for r in rows[:4]] == [i["product_id"] for i in first["items"]]
    assert {r["surface"] for r in rows[4:]} == {"pdp"}
    assert len({r["event_id"] for r in rows}) == 7
    limits = {"raw_max_price": 1e6, "raw_max_text_length": 500, "raw_max_long_text_length": 1e4}
    for row in rows:
        for column in contract.columns:
            value = clean_text(row[column.name])
            assert value is not None or not column.required, (column.name, row)
            assert first_problem(value, column, limits) is None, (column.name, row)
        assert row["event_type"] == "impression" and row["user_id"] == "U5"


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
