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
    # Randomised by unit: the number of clusters (regions) users belong to, 0 = by user; and
    # the sd of each cluster's log shock to click probability during the experiment (what
    # makes a cluster's users alike, so the users are not independent observations).
    units: int = 0
    unit_shock_sd: float = 0.0
    # A switchback: the window cut into slots of slot_hours hours from its start, each slot
    # one variant for every user active in it (0 = not a switchback); unit_shock_sd is then
    # the sd of each slot's log shock, on top of the time of day's.
    slot_hours: int = 0


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
    Experiment(  # a cluster design: regions, half of them treated, read out by region
        "EXP005",
        "delivery_promise",
        "A delivery-date promise, rolled out by region, raises click-through",
        "click_through_rate",
        "hide_rate",
        ("control", "treatment"),
        (0.5, 0.5),
        DEMO_END - np.timedelta64(75, "D"),
        DEMO_END - np.timedelta64(45, "D"),
        "click",
        0.10,
        units=40,
        unit_shock_sd=0.15,
    ),
    Experiment(  # a switchback: 4-hour time slots over 14 days, read out by slot
        "EXP006",
        "shipping_banner",
        "A free-shipping banner, switched on and off by 4-hour slot, raises click-through",
        "click_through_rate",
        "hide_rate",
        ("control", "treatment"),
        (0.5, 0.5),
        # Between EXP005 and EXP001-4: no other experiment's window (only their pre-periods,
        # the CUPED covariates, overlap; no assignment depends on it).
        DEMO_END - np.timedelta64(44, "D"),
        DEMO_END - np.timedelta64(30, "D"),
        "click",
        0.10,
        unit_shock_sd=0.15,
        slot_hours=4,
    ),
)
# Relative swing of click probability over the day in a switchback's window (highest at 20h).
TIME_OF_DAY_AMPLITUDE = 0.25
# Assignment rows the readout must reject, per kind (experiment_assignments in __init__).
READOUT_ANOMALIES = 3


@lru_cache(maxsize=4)
def assignments(seed: int, scale: float) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per experiment: (variant index per user, -1 when not assigned; assigned_at per user).
    In a design randomised by unit a user's variant is their unit's (unit_of_users)."""
    n = len(users(seed, scale).user_id)
    out = {}
    for k, exp in enumerate(EXPERIMENTS):
        if exp.slot_hours:  # a switchback assigns slots (switchback_slots), not users
            continue
        rng = rng_for(seed, "assignments", k)
        participates = rng.random(n) < 0.6  # drawn first: the streams of EXP001-4 as before
        if exp.units:
            drawn = rng.permutation(_arms(exp, exp.units))[unit_of_users(seed, scale, exp)]
        else:
            drawn = rng.choice(len(exp.variants), n, p=exp.split)
        variant = np.where(participates, drawn, -1)
        assigned = timestamps(rng, n, exp.start, exp.start + np.timedelta64(10, "D"))
        out[exp.experiment_id] = (variant, assigned)
    return out


def _arms(exp: Experiment, units: int) -> np.ndarray:
    """The variant index of each of `units` units, split between the variants as planned
    (exactly, so no sample ratio mismatch), in variant order."""
    return np.repeat(
        np.arange(len(exp.variants)), np.round(np.multiply(exp.split, units)).astype(int)
    )


def slot_count(exp: Experiment) -> int:
    """The number of time slots of a switchback."""
    return int((exp.end - exp.start) // np.timedelta64(exp.slot_hours, "h"))


@lru_cache(maxsize=4)
def switchback_slots(seed: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per switchback: each slot's variant index (slots split as planned, in random order)
    and its multiplier of every user's click probability: the time of day (a cosine peaking
    at 20h, amplitude TIME_OF_DAY_AMPLITUDE) times a log-normal shock (sd unit_shock_sd).
    Neighbouring hours and slots differ, so users are not independent across slots."""
    out = {}
    for k, exp in enumerate(EXPERIMENTS):
        if not exp.slot_hours:
            continue
        rng, n = rng_for(seed, "slots", k), slot_count(exp)
        variant = rng.permutation(_arms(exp, n))
        start_hour = exp.start.astype("datetime64[h]").astype(int) % 24
        hour = (start_hour + (np.arange(n) + 0.5) * exp.slot_hours) % 24
        time_of_day = 1 + TIME_OF_DAY_AMPLITUDE * np.cos(2 * np.pi * (hour - 20) / 24)
        out[exp.experiment_id] = (
            variant,
            time_of_day * np.exp(rng.normal(0, exp.unit_shock_sd, n)),
        )
    return out


def unit_of_users(seed: int, scale: float, exp: Experiment) -> np.ndarray:
    """Each user's randomisation unit (index) in a design randomised by unit."""
    rng = rng_for(seed, "units", EXPERIMENTS.index(exp))
    return rng.integers(0, exp.units, len(users(seed, scale).user_id))


def unit_labels(seed: int, scale: float, exp: Experiment) -> np.ndarray:
    """Each user's unit as raw text (`region_07`); empty when the user is the unit."""
    if not exp.units:
        return np.full(len(users(seed, scale).user_id), "")
    return np.char.add("region_", np.char.zfill(unit_of_users(seed, scale, exp).astype(str), 2))


@lru_cache(maxsize=4)
def exposures(seed: int, scale: float) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """assignments() with each user's multiplier of click probability while the experiment
    runs: their unit's shock in a design randomised by unit, else 1 (switchbacks: their
    slots' in switchback_slots)."""
    out = {}
    for k, exp in enumerate(EXPERIMENTS):
        if exp.slot_hours:
            continue
        variant, at = assignments(seed, scale)[exp.experiment_id]
        shock = np.ones(len(variant))
        if exp.units:
            unit_shock = np.exp(
                rng_for(seed, "unit_shocks", k).normal(0, exp.unit_shock_sd, exp.units)
            )
            shock = unit_shock[unit_of_users(seed, scale, exp)]
        out[exp.experiment_id] = (variant, at, shock)
    return out
