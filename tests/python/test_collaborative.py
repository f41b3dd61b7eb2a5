"""catalog_ml.collaborative: EASE weights against the closed form computed directly with
numpy, the item cap, determinism, typed empty output, and neighbours that respect taste
groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from catalog_ml import collaborative

# 5 users x 4 items, binary; item popularity (users): a 4, b 3, c 2, d 2.
X = np.array(
    [
        [1, 1, 0, 0],
        [1, 1, 1, 0],
        [1, 0, 1, 1],
        [0, 1, 0, 1],
        [1, 0, 0, 0],
    ],
    dtype=float,
)
ITEMS = ["a", "b", "c", "d"]
USERS = ["u1", "u2", "u3", "u4", "u5"]


def frame_of(matrix: np.ndarray, cutoff: str = "eval", items=ITEMS, users=USERS) -> pd.DataFrame:
    rows = [
        {"cutoff_name": cutoff, "user_id": users[u], "product_id": items[i]}
        for u, i in zip(*np.nonzero(matrix), strict=True)
    ]
    return pd.DataFrame(rows)


def closed_form(matrix: np.ndarray, l2: float) -> np.ndarray:
    """Steck (2019): P = (X^T X + l2 I)^-1, B = I - P diag(1 / diag(P))."""
    p = np.linalg.inv(matrix.T @ matrix + l2 * np.eye(matrix.shape[1]))
    return np.eye(matrix.shape[1]) - p @ np.diag(1.0 / np.diag(p))


@pytest.mark.parametrize("l2", [0.5, 2.0, 200.0])
def test_weights_equal_the_closed_form(l2):
    out = collaborative.ease_neighbours(frame_of(X), max_items=10, l2=l2, neighbours=10)
    expected = closed_form(X, l2)
    assert np.allclose(np.diag(expected), 0.0)
    positive = {
        (ITEMS[i], ITEMS[j]): round(expected[i, j], 9)
        for i in range(4)
        for j in range(4)
        if i != j and round(expected[i, j], 9) > 0
    }
    got = {(row.product_id, row.related_product_id): row.ease_score for row in out.itertuples()}
    assert positive and got.keys() == positive.keys()
    for pair, score in positive.items():
        assert got[pair] == pytest.approx(score, abs=2e-9)
    assert (out["cutoff_name"] == "eval").all()


def test_diagonal_is_excluded_and_only_positive_weights_are_kept():
    out = collaborative.ease_neighbours(frame_of(X), max_items=10, l2=0.5, neighbours=10)
    assert not (out["product_id"] == out["related_product_id"]).any()
    assert (out["ease_score"] > 0).all()
    expected = closed_form(X, 0.5)
    # with this small l2 some weights are negative, and they stay out
    assert (expected[~np.eye(4, dtype=bool)] < 0).any()
    assert len(out) < 12


def test_neighbours_caps_each_item_and_keeps_the_best():
    full = collaborative.ease_neighbours(frame_of(X), max_items=10, l2=0.5, neighbours=10)
    top1 = collaborative.ease_neighbours(frame_of(X), max_items=10, l2=0.5, neighbours=1)
    assert top1.groupby("product_id").size().max() == 1
    best = full.sort_values(["ease_score"], ascending=False).groupby("product_id").head(1)
    merged = top1.merge(best, on=["product_id"], suffixes=("", "_full"))
    assert (merged["related_product_id"] == merged["related_product_id_full"]).all()


def test_max_items_keeps_the_most_popular_items():
    # a (4 users) and b (3) are the two most popular; c and d tie at 2 and are dropped
    out = collaborative.ease_neighbours(frame_of(X), max_items=2, l2=0.5, neighbours=10)
    assert set(out["product_id"]) | set(out["related_product_id"]) <= {"a", "b"}
    # the model is then EASE on the restricted matrix
    expected = closed_form(X[:, :2], 0.5)
    for row in out.itertuples():
        i, j = ITEMS.index(row.product_id), ITEMS.index(row.related_product_id)
        assert row.ease_score == pytest.approx(expected[i, j], abs=2e-9)
    # ties in popularity break by product_id: c is kept before d
    kept = collaborative.top_items(frame_of(X), 3)
    assert list(kept) == ["a", "b", "c"]


def test_cutoffs_are_modelled_separately():
    both = pd.concat([frame_of(X, "eval"), frame_of(X[:, [1, 0, 3, 2]], "train")])
    out = collaborative.ease_neighbours(both, max_items=10, l2=2.0, neighbours=10)
    alone = collaborative.ease_neighbours(frame_of(X), max_items=10, l2=2.0, neighbours=10)
    pd.testing.assert_frame_equal(out[out["cutoff_name"] == "eval"].reset_index(drop=True), alone)
    assert set(out["cutoff_name"]) == {"eval", "train"}


def test_same_input_gives_an_identical_frame_in_any_row_order():
    frame = synthetic_groups(seed=3)
    first = collaborative.ease_neighbours(frame, max_items=50, l2=5.0, neighbours=5)
    second = collaborative.ease_neighbours(frame, max_items=50, l2=5.0, neighbours=5)
    shuffled = collaborative.ease_neighbours(
        frame.sample(frac=1.0, random_state=1), max_items=50, l2=5.0, neighbours=5
    )
    pd.testing.assert_frame_equal(first, second)
    pd.testing.assert_frame_equal(first, shuffled)
    ordered = first.sort_values(
        ["cutoff_name", "product_id", "ease_score", "related_product_id"],
        ascending=[True, True, False, True],
    )
    pd.testing.assert_frame_equal(first, ordered.reset_index(drop=True))


def test_empty_input_gives_a_typed_empty_frame():
    empty = pd.DataFrame({name: pd.Series(dtype="string") for name in collaborative.INPUT_COLUMNS})
    out = collaborative.ease_neighbours(empty, max_items=10, l2=1.0, neighbours=5)
    assert out.empty
    assert out.dtypes.astype(str).to_dict() == {
        "cutoff_name": "string",
        "product_id": "string",
        "related_product_id": "string",
        "ease_score": "float64",
    }


def test_missing_column_and_bad_parameters_are_named():
    with pytest.raises(ValueError, match="user_id"):
        collaborative.ease_neighbours(
            pd.DataFrame({"cutoff_name": [], "product_id": []}), 10, 1.0, 5
        )
    with pytest.raises(ValueError, match="l2"):
        collaborative.ease_neighbours(frame_of(X), 10, 0.0, 5)


def synthetic_groups(seed: int = 0, users: int = 200, items: int = 40) -> pd.DataFrame:
    """Two disjoint taste groups: even users only touch items g0_*, odd users only g1_*."""
    rng = np.random.default_rng(seed)
    rows = []
    for user in range(users):
        group = user % 2
        chosen = rng.choice(items // 2, size=int(rng.integers(2, 8)), replace=False)
        rows += [
            {"cutoff_name": "train", "user_id": f"u{user}", "product_id": f"g{group}_{item:02d}"}
            for item in chosen
        ]
    return pd.DataFrame(rows)


def test_neighbours_stay_within_the_taste_group():
    out = collaborative.ease_neighbours(synthetic_groups(), max_items=100, l2=10.0, neighbours=10)
    assert len(out) > 100
    assert (out["product_id"].str[:2] == out["related_product_id"].str[:2]).all()
    assert out["product_id"].nunique() == 40
