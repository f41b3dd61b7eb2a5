"""Metadata inference as a registered model: a fixed holdout of products, registry rows
through registry.register, the classifiers' round trip through text, and scoring with the
champion (held-out products, products missing a value and offers, in any batches)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from catalog_ml import metadata, registry

NOUNS = {"Audio > Headphones": "headphones", "Home > Drills": "drill", "Toys > Sets": "lego set"}


def products(copies: int = 40) -> pd.DataFrame:
    rows = [
        ("product", f"P{i:03d}", f"brand{i % 3} {noun} model{i}", category, f"Brand{i % 3}")
        for i, (category, noun) in enumerate(list(NOUNS.items()) * copies)
    ]
    columns = ["listing_type", "listing_id", "title", "category", "brand"]
    return pd.DataFrame(rows, columns=columns)


def offers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "listing_type": "offer",
            "listing_id": ["O1", "O2"],
            "title": ["cheap headphones", "brand1 drill"],
            "category": [None, None],
            "brand": [None, None],
        }
    )


def test_holdout_is_a_fixed_fifth_of_products():
    ids = [f"P{i}" for i in range(5000)]
    held = [metadata.is_holdout_product(i) for i in ids]
    assert held == [metadata.is_holdout_product(i) for i in ids]
    assert 0.18 < np.mean(held) < 0.22


def test_first_version_is_champion_measured_on_the_holdout_only():
    catalog = products()
    rows = metadata.train_and_register(catalog, None, margin=0.0)
    (row,) = rows.itertuples()
    assert row.model_name == "metadata" and row.is_promoted
    assert json.loads(row.feature_names_json) == ["title"]
    held = catalog["listing_id"].map(metadata.is_holdout_product)
    assert row.training_rows == int((~held).sum())
    metrics = json.loads(row.metrics_json)
    # two known values (category, brand) per held-out product
    assert metrics["holdout_values"] == 2 * int(held.sum())
    assert metrics["promotion_holdout_units"] == int(held.sum())
    # hand check: the champion's accuracy is the share of right held-out predictions
    models = metadata.from_json(row.model_json)
    holdout = catalog[held]
    right = [(models[a].predict(holdout["title"]) == holdout[a]).sum() for a in metadata.ATTRIBUTES]
    assert row.holdout_metric == sum(right) / (2 * len(holdout))
    assert row.holdout_metric > 0.9


def test_same_products_add_no_row_and_a_change_challenges_the_champion():
    catalog = products()
    first = metadata.train_and_register(catalog, None, margin=0.0)
    assert metadata.train_and_register(catalog.iloc[::-1], first, margin=0.0).empty
    changed = catalog.copy()
    changed.loc[changed.index[-1], "brand"] = "Brand0"  # was Brand2
    second = metadata.train_and_register(changed, first, margin=0.0)
    (row,) = second.itertuples()
    assert row.previous_champion_version == first.iloc[0]["model_version"]
    metrics = json.loads(row.metrics_json)
    difference = row.holdout_metric - metrics["promotion_champion_metric"]
    assert metrics["promotion_difference"] == pytest.approx(difference)
    assert "paired bootstrap interval" in row.promotion_reason


def test_too_few_known_values_train_nothing():
    assert metadata.train_and_register(products(copies=3), None, margin=0.0).empty


def test_no_products_with_known_values_train_nothing():
    # a folder whose products carry no category or brand (a ratings data set's items)
    products = pd.DataFrame(
        {column: pd.Series(dtype=object) for column in metadata.TRAINING_COLUMNS}
    )
    assert metadata.train_and_register(products, None, margin=0.0).empty


def test_classifiers_round_trip_through_text():
    models = metadata.fit(products())
    back = metadata.from_json(metadata.to_json(models))
    titles = pd.concat([products()["title"], offers()["title"]])
    for attribute, model in models.items():
        np.testing.assert_array_equal(
            back[attribute].predict_proba(titles), model.predict_proba(titles)
        )


def test_scores_held_out_and_missing_products_and_offers_in_any_batches():
    catalog = products()
    catalog.loc[1, "category"] = None  # P001: a drill, category missing
    registered = metadata.train_and_register(catalog, None, margin=0.0)
    listings = pd.concat([catalog, offers()], ignore_index=True)
    whole = metadata.score(listings, registered, None)
    category = whole[whole["attribute"] == "category"]
    held = category[category["is_out_of_fold"]]
    expected_held = catalog[
        catalog["listing_id"].map(metadata.is_holdout_product) & catalog["category"].notna()
    ]
    assert sorted(held["listing_id"]) == sorted(expected_held["listing_id"])
    by_id = category.set_index("listing_id")["predicted_value"]
    if not metadata.is_holdout_product("P001"):
        assert by_id["P001"] == "Home > Drills"
    assert by_id["O1"] == "Audio > Headphones"
    assert set(whole["model_version"]) == {registered.iloc[0]["model_version"]}
    batches = [listings.iloc[:50], listings.iloc[50:]]
    streamed = pd.concat(list(metadata.score_batches(batches, registered, None)))
    keys = ["listing_type", "listing_id", "attribute"]
    pd.testing.assert_frame_equal(
        streamed.sort_values(keys).reset_index(drop=True),
        whole.sort_values(keys).reset_index(drop=True),
    )


def test_no_champion_scores_nothing_with_typed_columns():
    out = metadata.score(offers(), registry.empty_registry(), None)
    assert out.empty and list(out.columns) == metadata.OUTPUT_COLUMNS
    assert str(out["confidence"].dtype) == "float64"
