"""Percentile bootstrap over evaluated users, paired across methods.

One resample draws n users with replacement from the n evaluated users; it is applied to
every statistic at once (every method's mean metrics and catalog coverage), so methods are
compared on the same users and a paired difference is the difference of the same draw.
Resamples are drawn from numpy's default generator with a fixed seed: the same inputs give
the same intervals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

LEVEL = 0.95
SEED = 14


@dataclass(frozen=True)
class Interval:
    """An estimate on all users and its percentile interval (None without resamples)."""

    estimate: float
    low: float | None
    high: float | None

    def as_dict(self) -> dict:
        return {"estimate": self.estimate, "low": self.low, "high": self.high}


def resample_weights(n: int, resamples: int, seed: int = SEED) -> Iterator[np.ndarray]:
    """How often each of n units is drawn, one array of n counts (summing to n) per
    resample; one resample at a time, so memory stays at n whatever the resamples."""
    if n < 1:
        raise ValueError("the bootstrap needs at least one unit")
    rng = np.random.default_rng(seed)
    for _ in range(resamples):
        yield np.bincount(rng.integers(0, n, size=n), minlength=n)


def bootstrap(
    statistic: Callable[[np.ndarray], np.ndarray], n: int, resamples: int, seed: int = SEED
) -> tuple[np.ndarray, np.ndarray]:
    """`statistic` maps unit weights (n counts) to a vector of figures. Returns the figures
    on all units (every weight 1) and the resamples x figures matrix of draws."""
    estimate = np.atleast_1d(np.asarray(statistic(np.ones(n, dtype=np.int64)), dtype=float))
    draws = np.empty((resamples, estimate.size))
    for row, weights in enumerate(resample_weights(n, resamples, seed)):
        draws[row] = statistic(weights)
    return estimate, draws


def weighted_means(values: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """The statistic 'column means' of a units x columns matrix under unit weights."""
    values = np.asarray(values, dtype=float)
    return lambda weights: weights @ values / weights.sum()


def percentile_interval(estimate: float, draws: np.ndarray, level: float = LEVEL) -> Interval:
    """The estimate with the (1 - level) / 2 and (1 + level) / 2 percentiles of its draws."""
    if len(draws) == 0:
        return Interval(float(estimate), None, None)
    low, high = np.percentile(draws, [50 * (1 - level), 50 * (1 + level)])
    return Interval(float(estimate), float(low), float(high))


def bootstrap_means(
    values: np.ndarray, resamples: int = 1000, seed: int = SEED, level: float = LEVEL
) -> tuple[list[Interval], np.ndarray]:
    """Each column's mean over the units (rows) with its percentile interval, and the draws
    (resamples x columns) for paired comparisons."""
    values = np.asarray(values, dtype=float)
    estimate, draws = bootstrap(weighted_means(values), values.shape[0], resamples, seed)
    intervals = [
        percentile_interval(estimate[j], draws[:, j], level) for j in range(values.shape[1])
    ]
    return intervals, draws


def paired_difference(
    estimate_a: float,
    estimate_b: float,
    draws_a: np.ndarray,
    draws_b: np.ndarray,
    level: float = LEVEL,
) -> Interval:
    """a - b with the percentile interval of the per-resample differences (the same users
    in both): a statistic against itself gives [0, 0]."""
    return percentile_interval(estimate_a - estimate_b, np.asarray(draws_a) - draws_b, level)
