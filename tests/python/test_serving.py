"""The read API on the serving fixtures (serving_fixtures.py): what each endpoint answers,
the fast path against FastAPI's routes, the errors, health and the impressions it logs."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel
from serving_fixtures import FINISHED, REPO, SALT

from catalog_ml.contract import load_contract
from catalog_ml.privacy import pseudonymise
from catalog_ml.raw_values import clean_text, first_problem
from catalog_ml.serving import schemas
from catalog_ml.serving.store import Store

# The fixtures (redis_server, serving_file, store, client).
pytest_plugins = ["serving_fixtures"]


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
