"""Reading a card's inputs: the registry and evaluation tables from the warehouse (the only SQL
in the package) and the trainer's prose and feature descriptions from dbt's manifest.json.
A table missing from the warehouse becomes a str saying so; it never fails."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import duckdb
import pandas as pd

from catalog_ml.model_cards.figures import champion
from catalog_ml.model_cards.specs import (
    BASELINE_QUANTILES,
    DRIFT,
    DRIFT_INPUTS,
    MODEL_SPECS,
    REGISTRY,
    CardData,
    Query,
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
        # the trainer (where the model_card meta is) as the descriptor (macro ml_models) names it
        # (a champion was found, so versions has rows)
        named = versions.get("trainer_model")
        data.trainer = named.iloc[0] if named is not None else (spec.trainer if spec else None)
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
