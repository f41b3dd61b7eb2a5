"""Which tables a green build publishes to the serving file, read from dbt's artifacts.

From the build's manifest.json: every public model, every model an exposure or a semantic
model depends on, and the semantic layer's time spine (published_tables). From its
run_results.json: whether the last dbt command was a green `dbt build` (check_green).
catalog_ml.publish writes the chosen tables to the serving file.
"""

from __future__ import annotations

import importlib.metadata
import json
from dataclasses import dataclass
from pathlib import Path

import yaml

STATUS_TABLE = "build_status"
STATUS_TABLES_TABLE = "build_status_tables"
# Statuses in run_results.json that make a build not green (warn is green: dbt exits 0).
BAD_STATUSES = {"error", "fail", "runtime error", "skipped"}


class PublishError(RuntimeError):
    """The build cannot be published (not green, a table missing); the serving file is unchanged."""


@dataclass(frozen=True)
class PublishedTable:
    unique_id: str
    schema: str
    name: str
    description: str
    columns: dict[str, str]  # column name -> description
    reason: str  # why it is published: public, exposure <name>, semantic model <name>, time spine


def read_artifact(path: Path, what: str) -> dict:
    """A dbt artifact (manifest.json, run_results.json) of the build; PublishError if absent."""
    if not path.is_file():
        raise PublishError(f"no {what} at {path}: run `dbt build` first (or pass --target-path)")
    return json.loads(path.read_text())


def published_tables(manifest: dict) -> list[PublishedTable]:
    """The models BI reads, by name: public models, exposure and semantic-model inputs, time spines."""
    nodes = manifest["nodes"]
    reasons: dict[str, str] = {}

    def add(unique_id: str, reason: str) -> None:
        node = nodes.get(unique_id)
        if node is not None and node["resource_type"] == "model":
            reasons.setdefault(unique_id, reason)

    for unique_id, node in nodes.items():
        if node["resource_type"] == "model" and node.get("access") == "public":
            add(unique_id, "public")
        if node["resource_type"] == "model" and node.get("time_spine"):
            add(unique_id, "time spine")
    for exposure in manifest.get("exposures", {}).values():
        for unique_id in exposure["depends_on"]["nodes"]:
            add(unique_id, f"exposure {exposure['name']}")
    for semantic_model in manifest.get("semantic_models", {}).values():
        for unique_id in semantic_model["depends_on"]["nodes"]:
            add(unique_id, f"semantic model {semantic_model['name']}")

    tables = []
    for unique_id, reason in reasons.items():
        node = nodes[unique_id]
        if node["config"].get("materialized") == "ephemeral" or not node["config"].get(
            "enabled", True
        ):
            continue
        tables.append(
            PublishedTable(
                unique_id=unique_id,
                schema=node["schema"],
                name=node.get("alias") or node["name"],
                description=node.get("description") or "",
                columns={
                    name: column.get("description") or ""
                    for name, column in node.get("columns", {}).items()
                },
                reason=reason,
            )
        )
    names = {table.name for table in tables}
    if names & {STATUS_TABLE, STATUS_TABLES_TABLE}:
        raise PublishError(f"a published model is named like the status tables: {sorted(names)}")
    return sorted(tables, key=lambda table: (table.schema, table.name))


def check_green(run_results: dict) -> None:
    """Raise PublishError unless the last dbt invocation was a green `dbt build`."""
    command = (run_results.get("args") or {}).get("which")
    if command != "build":
        # a `dbt compile` or `dbt test` after a failed build would otherwise look green
        raise PublishError(
            f"the last dbt command in target/ was '{command}', not a build: run `dbt build`"
        )
    bad = [
        f"{result['unique_id']} ({result['status']})"
        for result in run_results.get("results", [])
        if str(result.get("status")).lower() in BAD_STATUSES
    ]
    if bad:
        shown = ", ".join(bad[:10]) + (f" and {len(bad) - 10} more" if len(bad) > 10 else "")
        raise PublishError(f"the last dbt run was not green, nothing published: {shown}")


def project_version(project_dir: Path) -> str:
    """dbt_project.yml's version (no git needed), else the installed package's."""
    path = project_dir / "dbt_project.yml"
    if path.is_file():
        version = (yaml.safe_load(path.read_text()) or {}).get("version")
        if version:
            return str(version)
    try:
        return importlib.metadata.version("catalog-ml")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
