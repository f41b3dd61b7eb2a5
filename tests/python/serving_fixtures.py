"""What the serving tests share (test_serving.py, test_serving_store.py): a tiny serving file
built here, a real redis-server started and stopped by the fixture on a free port (installed
with apt-get when missing; the tests skip, saying why, only when it cannot be installed), the
store loaded from the file and the app in process. A test module loads the fixtures with
`pytest_plugins = ["serving_fixtures"]` and imports the constants and helpers it uses, so the
module is imported before pytest could rewrite its asserts: it holds none (PYTEST_DONT_REWRITE
says so to pytest)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient

from catalog_ml.privacy import pseudonymise
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
