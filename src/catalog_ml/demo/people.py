"""Users with segments and bots; experiments and their assignments."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .common import DEMO_END, rng_for, timestamps

SEGMENTS = np.array(["new", "casual", "loyal", "power"])
SEGMENT_SHARE = [0.25, 0.40, 0.25, 0.10]
SEGMENT_ACTIVITY = np.array([0.5, 1.0, 2.0, 4.0])
COUNTRIES = np.array(["US", "GB", "DE", "FR", "CA", "NL", "ES", "IT"])
BOT_SHARE = 0.005


@dataclass(frozen=True)
class Users:
    user_id: np.ndarray
    segment: np.ndarray  # index into SEGMENTS
    country: np.ndarray
    signup_at: np.ndarray
    is_bot: np.ndarray


@lru_cache(maxsize=4)
def users(seed: int, scale: float) -> Users:
    n = max(400, round(20_000 * scale))
    rng = rng_for(seed, "users")
    is_bot = np.zeros(n, dtype=bool)
    is_bot[rng.choice(n, max(2, round(n * BOT_SHARE)), replace=False)] = True
    return Users(
        user_id=np.array([f"U{i:06d}" for i in range(1, n + 1)]),
        segment=rng.choice(len(SEGMENTS), n, p=SEGMENT_SHARE),
        country=COUNTRIES[rng.integers(0, len(COUNTRIES), n)],
        signup_at=timestamps(
            rng, n, DEMO_END - np.timedelta64(900, "D"), DEMO_END - np.timedelta64(91, "D")
        ),
        is_bot=is_bot,
    )


@dataclass(frozen=True)
class Experiment:
    experiment_id: str
    name: str
    hypothesis: str
    primary_metric: str
    guardrails: str
    variants: tuple[str, ...]
    split: tuple[float, ...]
    start: np.datetime64
    end: np.datetime64
    effect: str  # which behaviour the non-control variants change: 'click' or 'purchase'
    lift: float  # planted relative lift of that behaviour's probability


EXPERIMENTS = (
    Experiment(
        "EXP001",
        "ranker_v2",
        "The new ranker raises click-through",
        "click_through_rate",
        "hide_rate,conversion_rate",
        ("control", "treatment"),
        (0.5, 0.5),
        DEMO_END - np.timedelta64(30, "D"),
        DEMO_END,
        "click",
        0.08,
    ),
    Experiment(
        "EXP002",
        "badge_colours",
        "Badge colour changes nothing",
        "click_through_rate",
        "hide_rate",
        ("control", "variant_a", "variant_b"),
        (0.34, 0.33, 0.33),
        DEMO_END - np.timedelta64(28, "D"),
        DEMO_END,
        "click",
        0.0,
    ),
    Experiment(
        "EXP003",
        "one_click_checkout",
        "One-click checkout raises conversion",
        "conversion_rate",
        "hide_rate",
        ("control", "treatment"),
        (0.5, 0.5),
        DEMO_END - np.timedelta64(25, "D"),
        DEMO_END,
        "purchase",
        0.15,
    ),
    Experiment(  # bad input: the registry names no control, so it cannot be read out
        "EXP004",
        "search_banner",
        "A search banner raises click-through",
        "click_through_rate",
        "hide_rate",
        ("variant_a", "variant_b"),
        (0.5, 0.5),
        DEMO_END - np.timedelta64(20, "D"),
        DEMO_END,
        "click",
        0.0,
    ),
)
# Assignment rows the readout must reject, per kind (experiment_assignments in __init__).
READOUT_ANOMALIES = 3


@lru_cache(maxsize=4)
def assignments(seed: int, scale: float) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per experiment: (variant index per user, -1 when not assigned; assigned_at per user)."""
    n = len(users(seed, scale).user_id)
    out = {}
    for k, exp in enumerate(EXPERIMENTS):
        rng = rng_for(seed, "assignments", k)
        variant = np.where(rng.random(n) < 0.6, rng.choice(len(exp.variants), n, p=exp.split), -1)
        assigned = timestamps(rng, n, exp.start, exp.start + np.timedelta64(10, "D"))
        out[exp.experiment_id] = (variant, assigned)
    return out
