"""The demo generator: deterministic, contract-shaped, realistic enough, bad rows counted."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from catalog_ml.demo import RAW_TABLES, TRUTH_TABLES, generate

SMALL = 0.05
CONTRACT = Path(__file__).resolve().parents[2] / "models" / "staging" / "_raw__sources.yml"


def frame(table: str, scale: float = SMALL, seed: int = 42) -> pd.DataFrame:
    return generate(table, seed=seed, scale=scale).read_pandas()


def test_raw_tables_match_the_contract_and_are_all_text():
    tables = yaml.safe_load(CONTRACT.read_text())["sources"][0]["tables"]
    contract = {t["name"]: [c["name"] for c in t["columns"]] for t in tables}
    assert contract == RAW_TABLES
    for table in RAW_TABLES:
        schema = generate(table, scale=SMALL).schema
        assert schema.names == RAW_TABLES[table]
        assert {str(f.type) for f in schema} == {"string"}
    for table, columns in TRUTH_TABLES.items():
        assert generate(table, scale=SMALL).schema.names == columns


@pytest.mark.parametrize("table", ["offers", "events", "experiment_assignments", "truth_offers"])
def test_deterministic_per_seed(table):
    assert frame(table).equals(frame(table))
    assert not frame(table).equals(frame(table, seed=7))


def test_unknown_table_names_the_valid_ones():
    with pytest.raises(ValueError, match=r"unknown table .product.*products"):
        generate("product")


def test_sizes_at_scale_one_meet_the_floors():
    products = frame("products", 1)
    offers = frame("offers", 1)
    assert len(products) >= 10_000 and products["category"].nunique() >= 20
    assert len(offers) >= 30_000 and offers["merchant_id"].nunique() >= 20
    assert len(frame("users", 1)) >= 20_000


def test_events_at_scale_one_exceed_a_million_over_sixty_days():
    events = generate("events", scale=1).read_all().select(["event_ts"]).to_pandas()
    ts = pd.to_datetime(events["event_ts"], errors="coerce").dropna()
    ts = ts[(ts.dt.year > 2000) & (ts.dt.year < 2090)]
    assert len(events) >= 1_000_000
    assert (ts.max() - ts.min()).days >= 60


def gtin_ok(code: str) -> bool:
    digits = [int(d) for d in code.zfill(14)]
    return (
        10 - sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(digits[:13])) % 10
    ) % 10 == digits[13]


def test_catalog_gtins_have_valid_check_digits():
    gtins = frame("products")["gtin"].dropna()
    valid_rows = gtins[gtins.str.fullmatch(r"\d{13}")]
    assert len(valid_rows) > 0.8 * len(gtins)
    assert all(gtin_ok(g) for g in valid_rows)


def test_offer_titles_are_noisy_variants_of_their_product_titles():
    offers = frame("offers", 0.1).set_index("offer_id")
    products = frame("products", 0.1).drop_duplicates("product_id").set_index("product_id")
    truth = frame("truth_offers", 0.1).dropna()
    pairs = truth.join(offers["title"], on="offer_id").join(
        products["title"], on="true_product_id", rsuffix="_product"
    )
    tokens = lambda s: set(re.findall(r"[a-z0-9]+", s.lower()))  # noqa: E731
    overlap = np.array(
        [
            len(tokens(a) & tokens(b)) / len(tokens(b))
            for a, b in zip(pairs["title"], pairs["title_product"], strict=True)
        ]
    )
    assert (pairs["title"] != pairs["title_product"]).mean() > 0.7
    assert np.median(overlap) > 0.5
    assert frame("truth_offers", 0.1)["true_product_id"].isna().mean() > 0.1  # some match nothing


def test_bots_click_far_more_per_impression_than_humans():
    events = frame("events", 0.1)
    bots = set(frame("truth_users", 0.1).query("is_bot == 1")["user_id"])
    is_bot = events["user_id"].isin(bots)
    ctr = lambda e: (e["event_type"] == "click").sum() / (e["event_type"] == "impression").sum()  # noqa: E731
    assert ctr(events[is_bot]) > 5 * ctr(events[~is_bot])


def test_popularity_is_long_tailed():
    events = frame("events", 0.1)
    counts = events[events["event_type"] == "impression"]["product_id"].value_counts()
    top = counts.head(len(counts) // 10).sum() / counts.sum()
    assert top > 0.3  # the top 10% of products get well over 10% of impressions


def test_truth_rejections_count_what_the_raw_tables_hold():
    truth = frame("truth_rejections").set_index(["table_name", "reject_reason"])["expected_rows"]
    events = frame("events")
    assert (events["event_type"] == "scroll").sum() == truth["events", "unknown_event_type"]
    assert events["event_id"].duplicated().sum() == truth["events", "duplicate_id"]
    assert (pd.to_numeric(events["price"], errors="coerce") < 0).sum() == truth[
        "events", "negative_price"
    ]
    products = frame("products")
    assert products["product_id"].duplicated().sum() == truth["products", "duplicate_id"]
    assert products["title"].isna().sum() == truth["products", "missing_required"]
