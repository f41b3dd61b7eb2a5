"""A switchback's randomisation log: time slots are randomised (people.switchback_slots),
and a user is logged in every slot in which they start a session, with the slot's variant."""

from __future__ import annotations

import numpy as np

from .common import as_text
from .events import session_starts
from .people import READOUT_ANOMALIES, Experiment, switchback_slots, users


def switchback_assignments(
    seed: int, scale: float, exp: Experiment
) -> list[tuple[np.ndarray, ...]]:
    """Row groups (user_id, variant, assigned_at, unit) of a switchback's assignments: one row
    per user and slot in which the user starts a session (assigned_at: the first such start;
    unit: the slot's start as timestamp text), then READOUT_ANOMALIES rows the readout must
    reject as invalid_slot (a user's slot moved one hour off the slot grid)."""
    user, start = session_starts(seed, scale)
    inside = (start >= exp.start) & (start < exp.end)
    user, start = user[inside], start[inside]
    slot = (start - exp.start) // np.timedelta64(exp.slot_hours, "h")
    order = np.lexsort((start, slot, user))
    user, start, slot = user[order], start[order], slot[order]
    first = np.r_[True, (np.diff(user) != 0) | (np.diff(slot) != 0)]
    user, start, slot = user[first], start[first], slot[first]
    slot_variant, _ = switchback_slots(seed)[exp.experiment_id]
    variant = np.array(exp.variants)[slot_variant[slot]]
    slot_start = exp.start + slot * np.timedelta64(exp.slot_hours, "h")
    user_id = users(seed, scale).user_id[user]
    # Off the grid: the first rows of READOUT_ANOMALIES different users (rows are by user).
    off = np.flatnonzero(np.r_[True, np.diff(user) != 0])[:READOUT_ANOMALIES]
    return [
        (user_id, variant, start, as_text(slot_start)),
        (user_id[off], variant[off], start[off], as_text(slot_start[off] + np.timedelta64(1, "h"))),
    ]
