"""Collaborative-filtering retrieval: EASE item-to-item weights (Steck 2019, "Embarrassingly
Shallow Autoencoders for Sparse Data"), computed per cutoff inside the warehouse.

With X the binary user x item matrix of positive interactions before a cutoff,
P = (X^T X + l2 I)^-1 and B = I - P diag(1 / diag(P)), i.e. B[i, j] = -P[i, j] / P[j, j]
off the diagonal and 0 on it. A user's EASE score of item j is sum_i X[u, i] B[i, j], so
B[i, j] is what anchor item i contributes to candidate j: the neighbour table has
product_id = i, related_product_id = j, ease_score = B[i, j], which is exactly what the
retrieval macro (recs_neighbour_retrieval) sums over a user's recent anchors.

Memory and time are bounded by `max_items`, not by the catalogue: per cutoff only the
`max_items` items with the most users are modelled. The Gram matrix is items x items
float64, 8 * max_items**2 bytes: max_items = 3000 is 72 MB (10000 would be 800 MB, and the
inverse grows with items**3). It is built BLOCK columns at a time from sparse X (X and two
re-orderings of it: about 36 bytes per interaction), inverted in place (Cholesky, LAPACK
potrf/potri, about 2/3 items**3 flops: ~1 s for 3000 items on one thread) and turned into B
in place; the top-neighbour selection works through B in blocks of rows. Peak memory is one
Gram matrix plus X plus the output (measured: 200k users, 1.5M interactions, 3000 of 20k
items: under 200 MB above the input frame, about 4 s).
"""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.linalg import lapack
from threadpoolctl import threadpool_limits

LOGGER = logging.getLogger(__name__)

INPUT_COLUMNS = ["cutoff_name", "user_id", "product_id"]
OUTPUT_DTYPES = {
    "cutoff_name": "string",
    "product_id": "string",
    "related_product_id": "string",
    "ease_score": "float64",
}
OUTPUT_COLUMNS = list(OUTPUT_DTYPES)
# Rebuilds are bit-identical: scores are rounded before anything is ordered by them.
SCORE_DECIMALS = 9
# Rows (and Gram columns) handled at once, so temporaries stay at BLOCK x items.
BLOCK = 512
# LAPACK runs on one thread: the result then does not depend on the machine's core count,
# and beside dbt's other threads a multi-threaded OpenBLAS was 2-5x slower, not faster
# (3000 items: about 1 s on one thread, 2-5 s on two busy cores).
BLAS_THREADS = 1


def empty_neighbours() -> pd.DataFrame:
    """The output with no rows, typed (so the warehouse still gets typed columns)."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in OUTPUT_DTYPES.items()})


def top_items(pairs: pd.DataFrame, max_items: int) -> pd.Index:
    """The `max_items` products with the most users (ties by product_id), in product_id
    order (the column order of X and of B, so ties in B break by product_id). `pairs` holds
    one row per user and product."""
    users = pairs.groupby("product_id", sort=True).size().rename("users")
    ranked = users.reset_index().sort_values(
        ["users", "product_id"], ascending=[False, True], kind="stable"
    )
    return pd.Index(ranked["product_id"].head(max_items)).sort_values()


def interaction_matrix(pairs: pd.DataFrame, items: pd.Index) -> sparse.csr_matrix:
    """Binary users x items matrix (CSR) of the pairs whose product is in `items`."""
    item_codes = items.get_indexer(pairs["product_id"])
    kept = pairs[item_codes >= 0]
    user_codes, users = pd.factorize(kept["user_id"], sort=True)
    data = np.ones(len(kept), dtype=np.float64)
    shape = (len(users), len(items))
    matrix = sparse.csr_matrix((data, (user_codes, item_codes[item_codes >= 0])), shape=shape)
    matrix.data[:] = 1.0  # binary, even if a pair came twice
    return matrix


def gram(x: sparse.csr_matrix, l2: float) -> np.ndarray:
    """X^T X + l2 I as dense float64, built BLOCK columns at a time (exact: sums of ones)."""
    n_items = x.shape[1]
    out = np.empty((n_items, n_items), dtype=np.float64)
    xt = x.T.tocsr()
    xc = x.tocsc()
    for start in range(0, n_items, BLOCK):
        stop = min(start + BLOCK, n_items)
        out[:, start:stop] = (xt @ xc[:, start:stop]).toarray()
    out[np.diag_indices(n_items)] += l2
    return out


def ease_weights(g: np.ndarray) -> np.ndarray:
    """B = I - P diag(1 / diag(P)) with P = g^-1 (g symmetric positive definite), diagonal 0.
    Works in place: `g` is overwritten and its memory holds the result."""
    n_items = g.shape[0]
    # g is symmetric, so its transpose is the same matrix in Fortran order: LAPACK can then
    # factor and invert it in place.
    with threadpool_limits(limits=BLAS_THREADS, user_api="blas"):
        factor, info = lapack.dpotrf(g.T, lower=0, clean=1, overwrite_a=1)
        if info != 0:
            raise np.linalg.LinAlgError(f"X^T X + l2 I is not positive definite (potrf {info})")
        p, info = lapack.dpotri(factor, lower=0, overwrite_c=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"X^T X + l2 I could not be inverted (potri info {info})")
    # potri fills the upper triangle only: mirror it block by block (no n x n temporaries).
    for start in range(0, n_items, BLOCK):
        stop = min(start + BLOCK, n_items)
        p[start:stop, :start] = p[:start, start:stop].T
        diagonal_block = p[start:stop, start:stop]
        p[start:stop, start:stop] = np.triu(diagonal_block) + np.triu(diagonal_block, 1).T
    diagonal = np.diag(p).copy()
    p /= -diagonal  # column j divided by -P[j, j]
    p[np.diag_indices(n_items)] = 0.0
    return p


def top_neighbours(weights: np.ndarray, items: pd.Index, neighbours: int) -> pd.DataFrame:
    """Per row item, its `neighbours` best related items by positive rounded weight (ties by
    related product_id: the columns are in product_id order and the sort is stable)."""
    n_items = weights.shape[0]
    keep = min(neighbours, n_items)
    anchors, related, scores = [], [], []
    for start in range(0, n_items, BLOCK):
        stop = min(start + BLOCK, n_items)
        block = np.round(weights[start:stop], SCORE_DECIMALS)
        block[block <= 0] = -np.inf  # only positive weights (the diagonal is 0)
        order = np.argsort(-block, axis=1, kind="stable")[:, :keep]
        values = np.take_along_axis(block, order, axis=1)
        rows, cols = np.nonzero(values > 0)
        anchors.append(rows + start)
        related.append(order[rows, cols])
        scores.append(values[rows, cols])
    anchor_codes, related_codes = np.concatenate(anchors), np.concatenate(related)
    return pd.DataFrame(
        {
            "product_id": items[anchor_codes].to_numpy(),
            "related_product_id": items[related_codes].to_numpy(),
            "ease_score": np.concatenate(scores),
        }
    )


def ease_neighbours(
    interactions: pd.DataFrame, max_items: int, l2: float, neighbours: int
) -> pd.DataFrame:
    """EASE item-to-item neighbours per cutoff.

    `interactions`: cutoff_name, user_id, product_id, one row per user and item with a
    positive interaction before that cutoff (X is binary; duplicates count once). Per
    cutoff, the `max_items` items with the most users (ties by product_id) are modelled;
    every modelled item gets its top `neighbours` related items with a positive EASE weight.
    Returns cutoff_name, product_id, related_product_id, ease_score (rounded to 9
    decimals), sorted by cutoff_name, product_id, ease_score descending, related_product_id.
    Progress (users, items, seconds per cutoff) is logged at INFO on this module's logger.
    """
    missing = [name for name in INPUT_COLUMNS if name not in interactions.columns]
    if missing:
        raise ValueError(f"ease_neighbours: interactions lack column(s) {', '.join(missing)}")
    if max_items < 1 or neighbours < 1:
        raise ValueError("ease_neighbours: max_items and neighbours must be at least 1")
    if not l2 > 0:
        raise ValueError("ease_neighbours: l2 must be positive (X^T X alone may be singular)")
    # in key order, whatever order the warehouse returned the rows in: the same input gives
    # the same matrices, weights and ties on every build
    pairs = interactions[INPUT_COLUMNS].dropna().drop_duplicates()
    pairs = pairs.sort_values(INPUT_COLUMNS, kind="stable").reset_index(drop=True)
    if pairs.empty:
        LOGGER.info("ease: no positive interactions, no neighbours")
        return empty_neighbours()

    frames = []
    for cutoff_name, cutoff_pairs in pairs.groupby("cutoff_name", sort=True):
        started = time.perf_counter()
        items = top_items(cutoff_pairs, max_items)
        x = interaction_matrix(cutoff_pairs, items)
        weights = ease_weights(gram(x, float(l2)))
        frame = top_neighbours(weights, items, neighbours)
        del weights
        frame.insert(0, "cutoff_name", cutoff_name)
        frames.append(frame)
        LOGGER.info(
            "ease %s: %d users, %d of %d items, %d interactions, %d neighbour rows, %.2f s",
            cutoff_name,
            x.shape[0],
            len(items),
            cutoff_pairs["product_id"].nunique(),
            x.nnz,
            len(frame),
            time.perf_counter() - started,
        )

    out = pd.concat(frames, ignore_index=True).astype(OUTPUT_DTYPES)
    out = out.sort_values(
        ["cutoff_name", "product_id", "ease_score", "related_product_id"],
        ascending=[True, True, False, True],
        kind="stable",
    )
    return out.reset_index(drop=True)[OUTPUT_COLUMNS]
