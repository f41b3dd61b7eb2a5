"""Serving end to end: the shared demo build, published, loaded into a real Redis and read
through the API, answers with the marts' rows; impressions the API logs into a files-mode
folder are read by the next build's staging (the loop closed)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, run_dbt
from fastapi.testclient import TestClient

from catalog_ml.privacy import pseudonymise
from catalog_ml.publish import publish
from catalog_ml.serving.api import Settings, create_app
from catalog_ml.serving.impressions import ImpressionLog
from catalog_ml.serving.redis_server import RedisServer, RedisUnavailable, free_port
from catalog_ml.serving.store import Store
from catalog_ml.warehouse import connect

CLEAN = REPO / "tests" / "fixtures" / "raw_files_clean"


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    try:
        server = RedisServer(free_port(), tmp_path_factory.mktemp("redis")).start()
    except RedisUnavailable as error:
        pytest.skip(f"redis-server cannot be installed or started here: {error}")
    yield server.url
    server.stop()


def test_demo_build_served_through_the_api(
    demo_build: Path, redis_url: str, tmp_path: Path
) -> None:
    serving = tmp_path / "catalog_ml_serving.duckdb"
    status = publish(demo_build / "warehouse.duckdb", serving, demo_build / "target", REPO)
    report = Store.from_url(redis_url, timeout=5).load(serving)
    with connect(serving) as con:
        users = con.execute("select count(distinct user_id) from fct_recommendations").fetchone()
        offers = con.execute("select count(*) from fct_offer_matches").fetchone()
        # a raw demo user id whose pseudonym has a list
        user = next(
            f"U{n:06d}"
            for n in range(1, 10_000)
            if con.execute(
                "select count(*) from fct_recommendations where user_id = ?",
                [pseudonymise(f"U{n:06d}")],
            ).fetchone()[0]
        )
        expected = con.execute(
            "select product_id from fct_recommendations where user_id = ? order by rank",
            [pseudonymise(user)],
        ).fetchall()
        popular = con.execute(
            "select product_id, score from fct_popular_items order by rank limit 10"
        ).fetchall()
    assert report["counts"]["rec"]["keys"] == users[0]
    assert report["counts"]["match"]["keys"] == offers[0]
    settings = Settings(redis_url=redis_url, serving_file=serving)
    with TestClient(create_app(settings)) as client:
        body = client.get(f"/recommendations/{user}").json()
        assert body["served_from"] == "personal"
        assert [item["product_id"] for item in body["items"]] == [row[0] for row in expected]
        health = client.get("/health").json()
        assert health["dbt_invocation_id"] == status["dbt_invocation_id"]
        assert health["is_store_behind_serving_file"] is False
        fallback = client.get("/recommendations/not-a-demo-user").json()
        assert fallback["served_from"] == "popularity_fallback"
        # the build's own popularity list, as published (the store recomputes nothing)
        assert [(i["product_id"], i["score"]) for i in fallback["items"]] == popular
        assert fallback["model_version"].startswith("popularity_half_life_14d@")


def test_logged_impressions_reach_staging_in_files_mode(tmp_path: Path) -> None:
    folder = tmp_path / "raw"
    shutil.copytree(CLEAN, folder)
    log = ImpressionLog(folder / "events.csv", REPO)
    assert log.log("req-1", "U1", ["P1", "P2"], "home") == 2
    assert log.log("req-2", "U-unknown", ["P1"], "home") == 1  # no such user in users.csv
    files = json.dumps({"raw_source": "files", "raw_data_path": str(folder)})
    result = run_dbt(
        [
            *("build", "-s", "+stg_events", "+stg_events_rejected"),
            *("--exclude", "resource_type:test", "--vars", files),
        ],
        tmp_path,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    with connect(tmp_path / "warehouse.duckdb") as con:
        kept = con.execute(
            "select event_id, user_id, product_id, event_type, request_id, position, surface"
            " from stg_events where request_id like 'req-%' order by event_id"
        ).fetchall()
        rejected = con.execute(
            "select event_id, reject_reason from stg_events_rejected where request_id = 'req-2'"
        ).fetchall()
    assert kept == [
        ("req-1:1", "U1", "P1", "impression", "req-1", 1, "home"),
        ("req-1:2", "U1", "P2", "impression", "req-1", 2, "home"),
    ]
    assert rejected == [("req-2:1", "dangling_foreign_key")]
