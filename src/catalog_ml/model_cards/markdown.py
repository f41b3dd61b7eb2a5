"""The Markdown of a card and of the index: pure, CardData in, text out."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import pandas as pd

from catalog_ml.model_cards.figures import (
    champion,
    feature_names,
    json_object,
    no_champion_reason,
    version_history,
)
from catalog_ml.model_cards.specs import DRIFT, DRIFT_INPUTS, REGISTRY, CardData

MISSING = "n/a"  # an empty cell (null, NaN, NaT)
COUNT_COLUMNS = ("rows", "positives", "negatives", "users", "offers", "_count", "k")


def fmt(value: Any, column: str = "") -> str:
    """One table cell: counts with separators, other floats to 4 decimals, times to minutes."""
    if hasattr(value, "item") and not isinstance(value, pd.Timestamp):  # numpy scalars
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT:
        return MISSING
    if isinstance(value, float) and math.isnan(value):
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer() and column.endswith(COUNT_COLUMNS):
            return f"{int(value):,}"
        return f"{value:.4f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(frame: pd.DataFrame, columns: Mapping[str, str] | None = None) -> str:
    """A pipe table of `columns` (column -> heading; all columns when None) that exist."""
    columns = dict(columns) if columns else {c: c for c in frame.columns}
    shown = {c: h for c, h in columns.items() if c in frame.columns}
    lines = [
        "| " + " | ".join(shown.values()) + " |",
        "|" + "|".join("---" for _ in shown) + "|",
    ]
    for record in frame[list(shown)].itertuples(index=False):
        lines.append(
            "| " + " | ".join(fmt(v, c) for v, c in zip(record, shown, strict=True)) + " |"
        )
    return "\n".join(lines)


def key_value_table(row: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    lines = ["| | |", "|---|---|"]
    lines += [f"| {label} | {fmt(row.get(column), column)} |" for column, label in labels.items()]
    return "\n".join(lines)


def _missing(what: str) -> str:
    return f"_Not available: {what}._"


def _metrics_table(frame, note, columns, version, what: str) -> list[str]:
    """One holdout-metrics table (with its note and a warning when it is not the champion's),
    or why there is none."""
    if not (isinstance(frame, pd.DataFrame) and not frame.empty):
        return [_missing(_frame_reason(frame)), ""]
    out = [note, ""] if note else []
    out += [markdown_table(frame, columns)]
    out += _version_mismatch(frame, version, what)
    return [*out, ""]


def _version_mismatch(frame: pd.DataFrame, version: str, what: str) -> list[str]:
    if "model_version" not in frame.columns:
        return []
    others = sorted({str(v) for v in frame["model_version"].dropna()} - {version})
    if not others:
        return []
    return [
        "",
        f"> Warning: {what} evaluated version {', '.join(others)}, not the champion {version}.",
    ]


def render_card(data: CardData) -> str:
    """The Markdown card of a model whose registry has a champion."""
    champ = champion(data.versions)
    if champ is None:
        raise ValueError(f"{data.model_name}: {no_champion_reason(data.versions)}")
    version = str(champ["model_version"])
    meta = data.model_card_meta if isinstance(data.model_card_meta, Mapping) else {}
    out: list[str] = [f"# Model card: {data.model_name}", ""]
    out += [
        f"Champion version `{version}`, trained {fmt(champ['trained_at'])} UTC"
        + (
            f" (pinned by a var: {champ['pinned_version']})"
            if _present(champ.get("pinned_version"))
            else ""
        )
        + f". Registry: {REGISTRY}; trainer: {data.trainer or 'unknown'}.",
        "",
    ]

    out += ["## Intended use", ""]
    if meta.get("intended_use"):
        out += [str(meta["intended_use"]).strip(), ""]
    else:
        out += [_missing(_meta_reason(data, "intended_use")), ""]

    out += ["## Training data", ""]
    fitted = champ.get("training_rows")
    out += [f"Rows the champion was fitted on (registry training_rows): {fmt(fitted)}.", ""]
    if isinstance(data.training, pd.DataFrame) and not data.training.empty:
        row = data.training.iloc[0].to_dict()
        out += [key_value_table(row, data.training_columns), ""]
        rows, positives = row.get("training_table_rows"), row.get("positives")
        if _present(rows) and _present(positives) and rows:
            out += [f"Positive share: {fmt(float(positives) / float(rows))}.", ""]
        latest = data.versions.sort_values("trained_at").iloc[-1]["model_version"]
        if latest != version:
            out += [
                f"> The latest registered version is {latest}, not the champion: the window "
                "above describes the training data of this build, not necessarily the champion's.",
                "",
            ]
    else:
        out += [_missing(_frame_reason(data.training)), ""]

    out += ["## Features", ""]
    features = feature_names(champ)
    if features:
        table = pd.DataFrame(
            {
                "position": range(1, len(features) + 1),
                "feature": features,
                "description": [data.feature_descriptions.get(f.lower(), "") for f in features],
            }
        )
        out += [f"{len(features)} features, in model order (registry feature_names_json).", ""]
        out += [markdown_table(table), ""]
    else:
        out += [_missing("the registry row lists no features"), ""]

    out += ["## Holdout metrics", ""]
    out += [
        f"Promotion metric ({champ['holdout_metric_name']}): **{fmt(champ['holdout_metric'])}**.",
        "",
    ]
    extra = json_object(champ.get("metrics_json"))
    if extra:
        out += [key_value_table(extra, {k: k for k in extra}), ""]
    out += ["### Overall", ""]
    out += _metrics_table(
        data.metrics_overall,
        data.overall_note,
        data.metrics_overall_columns,
        version,
        "the overall evaluation",
    )
    out += ["### By segment", ""]
    out += _metrics_table(
        data.metrics_by_segment,
        data.segment_note,
        data.metrics_by_segment_columns,
        version,
        "the segment evaluation",
    )

    out += ["## Drift baseline", ""]
    if isinstance(data.drift, pd.DataFrame) and not data.drift.empty:
        out += [
            "Reference = the training population, window = the latest scoring window "
            f"({DRIFT_INPUTS}). Reference quantiles are the baseline; PSI and status are "
            f"today's ({DRIFT}).",
            "",
            markdown_table(data.drift, DRIFT_COLUMNS),
        ]
        out += _version_mismatch(data.drift, version, "the drift monitor")
        flagged = data.drift[data.drift["status"].fillna("") != "pass"]
        if not flagged.empty:
            out += ["", "Not passing:", ""]
            out += [f"- `{r.feature_name}` ({r.status}): {r.message}" for r in flagged.itertuples()]
        out += [""]
    else:
        out += [_missing(_frame_reason(data.drift)), ""]

    out += ["## Known limits", ""]
    limits = meta.get("known_limits") or []
    if limits:
        out += [f"- {str(limit).strip()}" for limit in limits] + [""]
    else:
        out += [_missing(_meta_reason(data, "known_limits")), ""]

    out += ["## Version history", ""]
    history = version_history(data.versions)
    promoted = int(history["is_promoted"].fillna(False).astype(bool).sum())
    out += [f"{len(history)} version(s) registered, {promoted} promoted.", ""]
    out += [markdown_table(history, HISTORY_COLUMNS), ""]
    return "\n".join(out)


DRIFT_COLUMNS = {
    "feature_name": "feature",
    "value_kind": "kind",
    "reference_rows": "reference rows",
    "reference_null_share": "null share",
    "q0": "min",
    "q10": "p10",
    "q25": "p25",
    "q50": "median",
    "q75": "p75",
    "q90": "p90",
    "q100": "max",
    "window_rows": "window rows",
    "psi": "PSI",
    "status": "status",
}

HISTORY_COLUMNS = {
    "model_version": "version",
    "trained_at": "trained at (UTC)",
    "training_rows": "training rows",
    "holdout_metric": "holdout metric",
    "previous_champion_version": "challenged",
    "previous_champion_holdout_metric": "champion's metric, same holdout",
    "metric_change": "change",
    "is_promoted": "promoted",
    "promotion_reason": "why",
    "role": "now",
}


def render_index(entries: Sequence[tuple[str, pd.Series | None, str]]) -> str:
    """Index of cards: entries are (model_name, champion row or None, no-champion reason)."""
    out = ["# Model cards", ""]
    cards = [(name, champ) for name, champ, _ in entries if champ is not None]
    if cards:
        out += [
            "| model | champion version | trained at (UTC) | holdout metric | card |",
            "|---|---|---|---|---|",
        ]
        for name, champ in cards:
            metric = f"{champ['holdout_metric_name']}: {fmt(champ['holdout_metric'])}"
            links = f"[Markdown]({name}.md) · [HTML]({name}.html)"
            out.append(
                f"| {name} | `{champ['model_version']}` | {fmt(champ['trained_at'])} | {fmt(metric)} | {links} |"
            )
        out.append("")
    else:
        out += ["No model has a champion: no cards.", ""]
    missing = [(name, reason) for name, champ, reason in entries if champ is None]
    if missing:
        out += ["Models without a card:", ""]
        out += [f"- {name}: no champion: no card ({reason})." for name, reason in missing]
        out.append("")
    return "\n".join(out)


def _meta_reason(data: CardData, key: str) -> str:
    if isinstance(data.model_card_meta, str):
        return data.model_card_meta
    return f"no {key} in {data.trainer}'s model_card meta"


def _frame_reason(frame: pd.DataFrame | str) -> str:
    return frame if isinstance(frame, str) else "the table is empty"


def _present(value: Any) -> bool:
    return fmt(value) != MISSING
