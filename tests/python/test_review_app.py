"""The review page's app (catalog_ml.review.app) on a small hand-made warehouse file: queue
order, the item view, decisions written for each action, and clear errors (unknown ids 404,
bad decisions 400, a warehouse being written 503). Feature effects are XGBoost's own
contributions: they sum, with the bias, to the booster's margin."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from fastapi.testclient import TestClient

from catalog_ml.matching import Matcher
from catalog_ml.review.app import create_app
from catalog_ml.review.queue import contributions

REPO = Path(__file__).resolve().parents[2]
LISTING = "title varchar, brand varchar, category varchar, price decimal(18, 2), currency varchar,"
LISTING += " gtin varchar, model_number varchar, description varchar"


@pytest.fixture()
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts; create schema staging; create schema ml")
        con.execute(f"create table staging.stg_offers (offer_id varchar, {LISTING})")
        con.execute(f"create table staging.stg_products (product_id varchar, {LISTING})")
        con.execute(
            "insert into staging.stg_offers values ('o1', 'Acme X1 drill', 'Acme', null,"
            " 10.5, 'USD', null, 'X1', null), ('o2', 'Other', null, null, 3, 'USD', null,"
            " null, null)"
        )
        con.execute(
            "insert into staging.stg_products values ('p1', 'Acme X1 Drill', 'Acme',"
            " 'Tools', 11, 'USD', null, 'X1', null), ('p2', 'Acme X2 Drill', 'Acme',"
            " 'Tools', 12, 'USD', null, 'X2', null), ('p3', 'Lamp', null, null, 1, 'USD',"
            " null, null, null)"
        )
        con.execute(
            "create table staging.stg_match_labels as select 'o2' as offer_id,"
            " 'p3' as product_id, true as is_match, 'test' as split"
        )
        con.execute(
            "create table marts.fct_match_review_queue as select * from (values"
            " (2, 'o2', 'm', 'Other', 3.0, 'USD', 0.4, 0.8, 0, 1.0, 'p3', 'Lamp', 0.4),"
            " (1, 'o1', 'm', 'Acme X1 drill', 10.5, 'USD', 0.5, 1.0, 3, 9.0, 'p1',"
            " 'Acme X1 Drill', 0.5)) as t(queue_rank, offer_id, merchant_id, offer_title,"
            " offer_price, offer_currency, match_score, uncertainty,"
            " proposed_product_impressions, expected_label_value, candidate_1_product_id,"
            " candidate_1_title, candidate_1_score)"
        )
        con.execute(
            "create table marts.fct_offer_matches as select offer_id,"
            " candidate_1_product_id as product_id, 'review' as decision,"
            " 'model' as decision_source, match_score from marts.fct_match_review_queue"
        )
        con.execute(
            "create table ml.ml_matcher_scores as select * from (values"
            " ('o1', 'p1', 0.5, null, 0.7), ('o1', 'p2', 0.3, null, 0.7),"
            " ('o2', 'p3', 0.4, null, 0.7)) as t(offer_id, product_id, match_score,"
            " model_version, match_threshold)"
        )
        con.execute(
            "create table ml.int_catalog_candidates as select offer_id, product_id"
            " from ml.ml_matcher_scores"
        )
        con.execute(
            "create table ml.int_catalog_scoring_pairs as select offer_id, product_id,"
            " 0.9 as title_jaro_winkler from ml.ml_matcher_scores"
        )
        con.execute("create table ml.ml_matcher_train (model_version varchar, model_json varchar)")
    return path


@pytest.fixture()
def client(warehouse: Path, tmp_path: Path) -> TestClient:
    return TestClient(create_app(warehouse, tmp_path / "reviews", REPO))


def _csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_queue_keeps_the_marts_order(client):
    page = client.get("/")
    assert page.status_code == 200
    assert page.text.index("data-offer-id='o1'") < page.text.index("data-offer-id='o2'")
    assert [row["offer_id"] for row in client.get("/api/queue").json()["offers"]] == ["o1", "o2"]
    exported = client.get("/queue.csv").text.splitlines()
    assert exported[0].startswith("queue_rank,offer_id") and exported[1].startswith("1,o1,")


def test_the_item_shows_both_listings_and_the_pair_features(client):
    page = client.get("/offers/o1").text
    assert "Acme X1 drill" in page and "Acme X1 Drill" in page and "Acme X2 Drill" in page
    item = client.get("/api/offers/o1").json()
    assert [c["product_id"] for c in item["candidates"]] == ["p1", "p2"]
    assert item["candidates"][0]["features"] == [
        {"name": "title_jaro_winkler", "value": 0.9, "contribution": None}
    ]


def test_accept_reject_and_pick_write_overrides_and_labels(client, tmp_path):
    form = {"reviewer": "ana", "reason": "", "proposed_product_id": "p1"}
    answer = client.post(
        "/offers/o1/decision",
        data={**form, "action": "accept", "shown_product_id": ["p1", "p2"]},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/?recorded=o1"
    client.post("/api/offers/o2/decision", json={"action": "reject", "reviewer": "bo"})
    client.post(
        "/api/offers/o1/decision",
        json={"action": "pick", "reviewer": "ana", "other_product_id": "p3"},
    )
    overrides = _csv(tmp_path / "reviews" / "match_overrides.csv")
    assert [(r["offer_id"], r["product_id"], r["reviewer"]) for r in overrides] == [
        ("o1", "p1", "ana"),
        ("o2", "", "bo"),
        ("o1", "p3", "ana"),
    ]
    labels = _csv(tmp_path / "reviews" / "match_labels.csv")
    assert [(r["offer_id"], r["product_id"], r["is_match"], r["split"]) for r in labels] == [
        ("o1", "p1", "1", "train"),
        ("o1", "p2", "0", "train"),
        ("o2", "p3", "0", "test"),  # the split the offer's labels already have
        ("o1", "p1", "0", "train"),
        ("o1", "p2", "0", "train"),
        ("o1", "p3", "1", "train"),
    ]
    assert "decided: matches p3" in client.get("/").text


def test_errors_name_what_is_wrong_and_write_nothing(client, tmp_path):
    unknown_offer = client.post(
        "/api/offers/o9/decision", json={"action": "reject", "reviewer": "a"}
    )
    assert unknown_offer.status_code == 404 and "offer_id 'o9'" in unknown_offer.json()["detail"]
    unknown_product = client.post(
        "/api/offers/o1/decision",
        json={"action": "pick", "reviewer": "a", "other_product_id": "p9"},
    )
    assert unknown_product.status_code == 404
    assert "'p9' is not a product of the last build" in unknown_product.json()["detail"]
    no_reviewer = client.post("/offers/o1/decision", data={"action": "reject", "reviewer": " "})
    assert (
        no_reviewer.status_code == 400
        and "column &#x27;reviewer&#x27; is empty" in no_reviewer.text
    )
    assert _csv(tmp_path / "reviews" / "match_overrides.csv") == []


def test_posts_from_another_site_are_refused(client, tmp_path):
    fields = {"action": "reject", "reviewer": "x"}
    foreign = client.post(
        "/offers/o1/decision", data=fields, headers={"Origin": "https://evil.example"}
    )
    assert foreign.status_code == 403
    assert _csv(tmp_path / "reviews" / "match_overrides.csv") == []
    own = client.post(
        "/offers/o1/decision",
        data=fields,
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert own.status_code == 303


def test_a_warehouse_a_build_is_writing_is_503_not_a_crash(warehouse, client):
    # another process holds the file for writing, as dbt build does
    hold = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(120)"
    writer = subprocess.Popen(
        [sys.executable, "-c", hold, str(warehouse)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout.readline().strip() == "held"
        answer = client.get("/api/queue")
    finally:
        writer.terminate()
        writer.wait(timeout=30)
    assert answer.status_code == 503 and "a build is probably writing it" in answer.json()["detail"]
    assert client.get("/api/queue").status_code == 200  # readable again once the build ends


def test_contributions_are_xgboosts_and_sum_to_the_margin():
    rng = np.random.default_rng(0)
    x = pd.DataFrame({"a": rng.random(200), "b": rng.random(200)})
    y = (x["a"] + 0.2 * rng.random(200) > 0.6).astype(int)
    booster = xgb.train(
        {"objective": "binary:logistic", "max_depth": 2, "seed": 0},
        xgb.DMatrix(x, label=y, feature_names=["a", "b"]),
        num_boost_round=10,
    )
    matcher = Matcher(booster, 1.0, 0.0, 0.5, ["a", "b"])
    effect = contributions(matcher, x.head(5))
    margin = booster.predict(xgb.DMatrix(x.head(5), feature_names=["a", "b"]), output_margin=True)
    bias = booster.predict(xgb.DMatrix(x.head(5), feature_names=["a", "b"]), pred_contribs=True)[
        :, -1
    ]
    np.testing.assert_allclose(effect.sum(axis=1) + bias, margin, rtol=1e-5, atol=1e-5)
    assert effect["a"].abs().mean() > effect["b"].abs().mean()  # the label depends on a
