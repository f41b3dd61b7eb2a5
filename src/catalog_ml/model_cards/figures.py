"""Figures a card derives from the registry rows: the champion, why there is none, the version
history with its metric changes, and the JSON columns parsed. Pure: DataFrames in, values out."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd


def champion(versions: pd.DataFrame) -> pd.Series | None:
    """The registry row marked is_champion, or None."""
    rows = versions[versions["is_champion"].fillna(False).astype(bool)]
    return None if rows.empty else rows.sort_values("trained_at").iloc[-1]


def no_champion_reason(versions: pd.DataFrame) -> str:
    """Why a model's registry rows have no champion (the index shows it)."""
    if versions.empty:
        return "no version registered"
    pinned = versions["pinned_version"].dropna()
    if not pinned.empty:
        return f"pinned version {pinned.iloc[0]} is not in the registry"
    if not versions["is_promoted"].fillna(False).astype(bool).any():
        return f"{len(versions)} version(s) registered, none promoted"
    return "the registry marks no version as champion"


def version_history(versions: pd.DataFrame) -> pd.DataFrame:
    """Registry rows oldest first, with the metric change against the champion challenged."""
    history = versions.sort_values("trained_at").reset_index(drop=True).copy()
    history["metric_change"] = (
        history["holdout_metric"] - history["previous_champion_holdout_metric"]
    )
    history["role"] = [
        "**champion**" if bool(c) else "" for c in history["is_champion"].fillna(False)
    ]
    return history


def json_object(text: Any) -> dict[str, Any]:
    """A JSON object column (metrics_json) as a dict; {} when empty or not an object."""
    if not isinstance(text, str) or not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def feature_names(champ: pd.Series) -> list[str]:
    """The champion's features in model order (feature_names_json); [] when unreadable."""
    try:
        value = json.loads(str(champ.get("feature_names_json") or "null"))
    except ValueError:
        return []
    return [str(f) for f in value] if isinstance(value, list) else []
