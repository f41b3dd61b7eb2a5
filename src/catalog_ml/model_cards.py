"""Model cards from the warehouse: `python -m catalog_ml.model_cards WAREHOUSE --out DIR`.

One card per model whose registry (mon_model_registry) has a champion, as Markdown (the
source) and HTML (rendered from it), plus an index listing the cards and the models that
have no champion, with the reason. A card holds: intended use and known limits (prose kept
in the trainer's YAML, `config.meta.model_card`, read from dbt's manifest.json so it sits
next to the model in dbt docs), the training data window and size, the features with their
YAML descriptions, holdout metrics overall and by segment (eval_* models), the drift
baseline (reference quantiles, current PSI and status from mon_feature_drift*) and the
version history with promotions.

`load_card_data` reads the warehouse (SQL only there); everything after it is pure: it
takes DataFrames and returns text, so tests check the cards without building anything.
A table that is missing from the warehouse leaves its section saying so; it never fails.
"""

from __future__ import annotations

import argparse
import html
import json
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import mistune
import pandas as pd

REGISTRY = "mon_model_registry"
DRIFT = "mon_feature_drift"
DRIFT_INPUTS = "mon_feature_drift_inputs"
# Reference quantiles shown as the drift baseline (the PSI bins are the reference's deciles).
BASELINE_QUANTILES = (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0)
# Column labels of the classification_metrics macro's output, shared by the matcher's tables.
CLASSIFICATION_LABELS = {
    "evaluated_rows": "rows",
    "positives": "positives",
    "precision": "precision",
    "recall": "recall",
    "f1": "F1",
    "average_precision": "average precision",
}


@dataclass(frozen=True)
class Query:
    """A query a card section runs, the tables it needs, and how to show its columns."""

    sql: str
    tables: tuple[str, ...]
    columns: Mapping[str, str] = field(default_factory=dict)  # column -> heading, in order


@dataclass(frozen=True)
class ModelSpec:
    """Where a model's card finds its training data and evaluations (besides the registry)."""

    trainer: str  # the dbt model holding its registry rows and its model_card meta
    training: Query  # one row: the training data window and size
    metrics_overall: Query
    metrics_by_segment: Query
    overall_note: str = ""
    segment_note: str = ""


MODEL_SPECS: dict[str, ModelSpec] = {
    "matcher": ModelSpec(
        trainer="ml_matcher_train",
        training=Query(
            """
            select
                min(labels.labeled_at) as labelled_from_at,
                max(labels.labeled_at) as labelled_to_at,
                count(*) as training_table_rows,
                sum(pairs.is_match) as positives,
                count(distinct pairs.offer_id) as offers
            from int_catalog_training_pairs as pairs
            left join stg_match_labels as labels
                on pairs.offer_id = labels.offer_id and pairs.product_id = labels.product_id
            where pairs.split = 'train'
            """,
            ("int_catalog_training_pairs", "stg_match_labels"),
            {
                "labelled_from_at": "first train label (labeled_at)",
                "labelled_to_at": "last train label (labeled_at)",
                "training_table_rows": "labelled train pairs (int_catalog_training_pairs)",
                "positives": "of which matches",
                "offers": "distinct offers",
            },
        ),
        metrics_overall=Query(
            "select * from eval_matcher_metrics order by evaluation",
            ("eval_matcher_metrics",),
            {
                "evaluation": "evaluation",
                "model_version": "version",
                "threshold": "threshold",
                **CLASSIFICATION_LABELS,
            },
        ),
        metrics_by_segment=Query(
            """
            select * from eval_matcher_segment_metrics
            where product_category != 'all'
            order by evaluated_rows desc, product_category
            """,
            ("eval_matcher_segment_metrics",),
            {
                "product_category": "product category",
                "model_version": "version",
                **CLASSIFICATION_LABELS,
            },
        ),
        overall_note=(
            "Test labels (never used in training or promotion), at the version's threshold; "
            "baseline_title_tfidf is one title similarity with its own F1-best threshold; "
            "end_to_end_ground_truth (demo only) scores the final decisions against every "
            "offer's true product."
        ),
        segment_note="The same test labels by the labelled product's top-level category.",
    ),
    "recs_ranker": ModelSpec(
        trainer="ml_ranker_train",
        training=Query(
            """
            select
                (select min(event_at) from int_recs_interactions_clean) as features_from_at,
                cutoffs.cutoff_at as features_to_at,
                cutoffs.cutoff_at as labels_from_at,
                cutoffs.label_end_at as labels_to_at,
                count(*) as training_table_rows,
                sum(case when rows.label > 0 then 1 else 0 end) as positives,
                count(distinct rows.user_id) as users
            from int_recs_ranker_training_rows as rows
            inner join int_recs_cutoffs as cutoffs on rows.cutoff_name = cutoffs.cutoff_name
            group by cutoffs.cutoff_at, cutoffs.label_end_at
            """,
            ("int_recs_ranker_training_rows", "int_recs_cutoffs", "int_recs_interactions_clean"),
            {
                "features_from_at": "features: interactions from",
                "features_to_at": "features: up to the train cutoff",
                "labels_from_at": "labels: events from",
                "labels_to_at": "labels: events before",
                "training_table_rows": "candidate rows (int_recs_ranker_training_rows, incl. held-out users)",
                "positives": "of which relevant (label > 0)",
                "users": "users",
            },
        ),
        metrics_overall=Query(
            "select * from eval_ranking_metrics where user_segment = 'all' order by ndcg_at_k desc",
            ("eval_ranking_metrics",),
            {
                "method": "method",
                "k": "K",
                "evaluated_users": "users",
                "ndcg_at_k": "NDCG@K",
                "map_at_k": "MAP@K",
                "recall_at_k": "Recall@K",
                "precision_at_k": "Precision@K",
                "mrr": "MRR",
                "catalog_coverage": "coverage",
                "intra_list_diversity": "diversity",
                "popularity_bias": "popularity bias",
            },
        ),
        metrics_by_segment=Query(
            """
            select * from eval_ranking_metrics
            where user_segment != 'all'
            order by user_segment, ndcg_at_k desc
            """,
            ("eval_ranking_metrics",),
            {
                "user_segment": "user segment",
                "method": "method",
                "evaluated_users": "users",
                "ndcg_at_k": "NDCG@K",
                "map_at_k": "MAP@K",
                "recall_at_k": "Recall@K",
                "mrr": "MRR",
                "popularity_bias": "popularity bias",
            },
        ),
        overall_note=(
            "Time holdout (events after the evaluation cutoff). ranker is the served list "
            "(after re-ranking), ranker_before_reranking the model's own order; popularity "
            "and covisitation are baselines from the same build."
        ),
        segment_note="The same holdout by user segment (stg_users.segment): the fairness view.",
    ),
}

SECTIONS = (
    "Intended use",
    "Training data",
    "Features",
    "Holdout metrics",
    "Drift baseline",
    "Known limits",
    "Version history",
)


@dataclass
class CardData:
    """Everything one card shows. A str in place of a DataFrame says why it is missing."""

    model_name: str
    versions: pd.DataFrame  # the model's registry rows
    trainer: str | None = None
    model_card_meta: Mapping[str, Any] | str = "no model_card meta"
    feature_descriptions: Mapping[str, str] = field(default_factory=dict)
    training: pd.DataFrame | str = "no training query for this model"
    training_columns: Mapping[str, str] = field(default_factory=dict)
    metrics_overall: pd.DataFrame | str = "no evaluation table for this model"
    metrics_overall_columns: Mapping[str, str] = field(default_factory=dict)
    metrics_by_segment: pd.DataFrame | str = "no segmented evaluation table for this model"
    metrics_by_segment_columns: Mapping[str, str] = field(default_factory=dict)
    drift: pd.DataFrame | str = "no drift table"
    overall_note: str = ""
    segment_note: str = ""


# ---------------------------------------------------------------------------- pure logic


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
    features = _feature_names(champ)
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
    extra = _json(champ.get("metrics_json"))
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


_MARKDOWN = mistune.create_markdown(escape=True, plugins=["table"])
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.45}table{border-collapse:collapse;margin:0.5rem 0 1rem;font-size:0.9rem}"
    "th,td{border:1px solid #ccc;padding:0.25rem 0.5rem;text-align:left;vertical-align:top}"
    "th{background:#f3f3f3}blockquote{border-left:4px solid #e0a000;margin:0;padding:0 1rem}"
    "code{background:#f3f3f3;padding:0 0.2rem}"
)


def to_html(markdown_text: str, title: str) -> str:
    """A standalone HTML page rendered from the card's Markdown (mistune, tables plugin)."""
    body = _MARKDOWN(markdown_text)
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n{body}</body>\n</html>\n"
    )


def model_card_meta(
    manifest: Mapping[str, Any] | None, trainer: str | None
) -> Mapping[str, Any] | str:
    """The trainer's `config.meta.model_card` from manifest.json, or why there is none."""
    if manifest is None:
        return "no dbt manifest (run `dbt parse` or `dbt build` first)"
    node = _manifest_node(manifest, trainer)
    if node is None:
        return f"model {trainer} is not in the dbt manifest"
    meta = (node.get("config") or {}).get("meta") or node.get("meta") or {}
    card = meta.get("model_card")
    if not isinstance(card, Mapping):
        return f"no config.meta.model_card in {trainer}'s YAML"
    return card


def feature_descriptions(manifest: Mapping[str, Any] | None, trainer: str | None) -> dict[str, str]:
    """Column descriptions of the models the trainer reads, nearest parent first."""
    node = _manifest_node(manifest, trainer) if manifest else None
    if node is None:
        return {}
    found: dict[str, str] = {}
    frontier, seen = list(node.get("depends_on", {}).get("nodes", [])), set()
    for _ in range(3):  # parents, grandparents, great-grandparents
        next_frontier: list[str] = []
        for unique_id in frontier:
            if unique_id in seen or unique_id not in manifest["nodes"]:
                continue
            seen.add(unique_id)
            parent = manifest["nodes"][unique_id]
            for column, spec in (parent.get("columns") or {}).items():
                if spec.get("description"):
                    found.setdefault(column.lower(), " ".join(spec["description"].split()))
            next_frontier += parent.get("depends_on", {}).get("nodes", [])
        frontier = next_frontier
    return found


def _manifest_node(
    manifest: Mapping[str, Any] | None, name: str | None
) -> Mapping[str, Any] | None:
    if not manifest or not name:
        return None
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") == "model" and node.get("name") == name:
            return node
    return None


def _meta_reason(data: CardData, key: str) -> str:
    if isinstance(data.model_card_meta, str):
        return data.model_card_meta
    return f"no {key} in {data.trainer}'s model_card meta"


def _frame_reason(frame: pd.DataFrame | str) -> str:
    return frame if isinstance(frame, str) else "the table is empty"


def _present(value: Any) -> bool:
    return fmt(value) != MISSING


def _json(text: Any) -> dict[str, Any]:
    if not isinstance(text, str) or not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _feature_names(champ: pd.Series) -> list[str]:
    try:
        value = json.loads(str(champ.get("feature_names_json") or "null"))
    except ValueError:
        return []
    return [str(f) for f in value] if isinstance(value, list) else []


# ---------------------------------------------------------------------------- warehouse


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("select lower(table_name) from information_schema.tables").fetchall()
    return {name for (name,) in rows}


def _run(con: duckdb.DuckDBPyConnection, available: set[str], query: Query) -> pd.DataFrame | str:
    missing = [t for t in query.tables if t.lower() not in available]
    if missing:
        return f"{', '.join(missing)} not in the warehouse"
    return con.execute(query.sql).df()


def _drift(
    con: duckdb.DuckDBPyConnection, available: set[str], model_name: str
) -> pd.DataFrame | str:
    if DRIFT not in available:
        return f"{DRIFT} not in the warehouse"
    drift = con.execute(
        f"select * from {DRIFT} where model_name = ? order by value_kind, feature_name",
        [model_name],
    ).df()
    if DRIFT_INPUTS not in available:
        return drift  # PSI and status without the baseline quantiles
    quantiles = ", ".join(str(q) for q in BASELINE_QUANTILES)
    baseline = con.execute(
        f"""
        select feature_name, quantile_cont(observed_value, [{quantiles}]) as reference_quantiles
        from {DRIFT_INPUTS}
        where model_name = ? and population = 'reference' and observed_value is not null
        group by feature_name
        """,
        [model_name],
    ).df()
    for i, q in enumerate(BASELINE_QUANTILES):
        baseline[f"q{round(q * 100)}"] = [values[i] for values in baseline["reference_quantiles"]]
    return drift.merge(baseline.drop(columns="reference_quantiles"), on="feature_name", how="left")


def load_card_data(
    con: duckdb.DuckDBPyConnection, manifest: Mapping[str, Any] | None
) -> list[tuple[str, CardData]]:
    """CardData for every model in the registry or in MODEL_SPECS (registry rows may be empty)."""
    available = _tables(con)
    if REGISTRY not in available:
        raise LookupError(f"{REGISTRY} is not in the warehouse: run `dbt build` first")
    registry = con.execute(f"select * from {REGISTRY}").df()
    names = sorted(set(MODEL_SPECS) | set(registry["model_name"].dropna()))
    cards = []
    for name in names:
        spec = MODEL_SPECS.get(name)
        versions = registry[registry["model_name"] == name].reset_index(drop=True)
        data = CardData(model_name=name, versions=versions)
        if champion(versions) is None:
            cards.append((name, data))
            continue
        data.trainer = spec.trainer if spec else None
        data.model_card_meta = model_card_meta(manifest, data.trainer)
        data.feature_descriptions = feature_descriptions(manifest, data.trainer)
        data.drift = _drift(con, available, name)
        if spec:
            data.training = _run(con, available, spec.training)
            data.training_columns = spec.training.columns
            data.metrics_overall = _run(con, available, spec.metrics_overall)
            data.metrics_overall_columns = spec.metrics_overall.columns
            data.metrics_by_segment = _run(con, available, spec.metrics_by_segment)
            data.metrics_by_segment_columns = spec.metrics_by_segment.columns
            data.overall_note, data.segment_note = spec.overall_note, spec.segment_note
        cards.append((name, data))
    return cards


def write_cards(cards: Iterable[tuple[str, CardData]], out_dir: Path) -> list[Path]:
    """Write <model>.md/.html per champion and index.md/.html; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written, entries = [], []
    for name, data in cards:
        champ = champion(data.versions)
        entries.append((name, champ, no_champion_reason(data.versions)))
        for stale in (out_dir / f"{name}.md", out_dir / f"{name}.html"):
            stale.unlink(missing_ok=True)  # a model that lost its champion loses its card
        if champ is None:
            continue
        markdown_text = render_card(data)
        written += _write(out_dir, name, markdown_text, f"Model card: {name}")
    written += _write(out_dir, "index", render_index(entries), "Model cards")
    return written


def _write(out_dir: Path, stem: str, markdown_text: str, title: str) -> list[Path]:
    md, page = out_dir / f"{stem}.md", out_dir / f"{stem}.html"
    md.write_text(markdown_text, encoding="utf-8")
    page.write_text(to_html(markdown_text, title), encoding="utf-8")
    return [md, page]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m catalog_ml.model_cards", description=__doc__.split("\n")[0]
    )
    parser.add_argument("warehouse", help="path to the DuckDB warehouse file")
    parser.add_argument(
        "--out", default="target/model_cards", help="output folder (default: %(default)s)"
    )
    parser.add_argument(
        "--manifest",
        default="target/manifest.json",
        help="dbt manifest with the trainers' model_card meta (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    path = Path(args.warehouse).resolve()
    if not path.exists():
        print(f"no warehouse at {path}: run `make demo` first", file=sys.stderr)
        return 1
    manifest_path = Path(args.manifest)
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else None
    if manifest is None:
        print(
            f"warning: no manifest at {manifest_path}: intended use and limits left out",
            file=sys.stderr,
        )
    with duckdb.connect(str(path), read_only=True) as con:
        try:
            cards = load_card_data(con, manifest)
        except LookupError as error:
            print(error, file=sys.stderr)
            return 1
    for written in write_cards(cards, Path(args.out)):
        print(written)
    return 0


if __name__ == "__main__":
    sys.exit(main())
