"""The raw data contract (models/staging/_raw__sources.yml), read in Python.

dbt reads the same file through its graph (macros/raw/raw_table.sql: raw_contract) to
select and check raw columns in staging; this module reads it for the Great Expectations
suites (catalog_ml.expectations), so the two never disagree about what a raw table is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

CONTRACT_PATH = Path("models") / "staging" / "_raw__sources.yml"
TYPES = ("decimal", "integer", "timestamp")
COLUMN_META = {
    "required",
    "type",
    "min",
    "max_var",
    "accepted_values",
    "reject_reason",
    "long_text",
    "allow_future",
}
# The dbt vars (dbt_project.yml) that bound raw values, with the defaults used when the
# project file does not set them: staging's validate_raw reads the same vars.
LIMIT_VARS = {
    "raw_max_price": 1000000,
    "raw_max_text_length": 500,
    "raw_max_long_text_length": 10000,
}
# Column meta that is not a rule: pii (personal data, README "Personal data").
COLUMN_TAGS = {"pii"}


@dataclass(frozen=True)
class RawColumn:
    name: str
    description: str
    required: bool = False
    type: str | None = None
    min: float | None = None
    max_var: str | None = None
    accepted_values: tuple[str, ...] | None = None
    reject_reason: str | None = None
    long_text: bool = False
    allow_future: bool = False


@dataclass(frozen=True)
class RawTable:
    name: str
    key: tuple[str, ...]
    columns: tuple[RawColumn, ...]

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


def _meta(node: dict) -> dict:
    return {**(node.get("meta") or {}), **((node.get("config") or {}).get("meta") or {})}


def load_contract(path: Path = CONTRACT_PATH) -> dict[str, RawTable]:
    """Every raw table of the contract by name, with its key and column rules."""
    if not Path(path).is_file():
        raise FileNotFoundError(
            f"raw data contract {path} not found (run from the dbt project folder or pass"
            " --project-dir)"
        )
    sources = yaml.safe_load(Path(path).read_text())["sources"]
    (raw,) = [source for source in sources if source["name"] == "raw"]
    tables = {}
    for table in raw["tables"]:
        columns = []
        for column in table["columns"]:
            meta = _meta(column)
            where = f"{path}: raw table '{table['name']}', column '{column['name']}'"
            unknown = set(meta) - COLUMN_META - COLUMN_TAGS
            if unknown:
                raise ValueError(
                    f"{where}: unknown meta {sorted(unknown)}; use {sorted(COLUMN_META | COLUMN_TAGS)}"
                )
            if meta.get("type") is not None and meta["type"] not in TYPES:
                raise ValueError(f"{where}: type '{meta['type']}' is not one of {', '.join(TYPES)}")
            for number_meta in ("min", "max_var"):
                if meta.get(number_meta) is not None and meta.get("type") not in (
                    "decimal",
                    "integer",
                ):
                    raise ValueError(f"{where}: {number_meta} needs type decimal or integer")
            accepted = meta.get("accepted_values")
            if accepted is not None and any(str(v) != str(v).lower() for v in accepted):
                raise ValueError(f"{where}: accepted_values must be lower-case")
            columns.append(
                RawColumn(
                    name=column["name"].lower(),
                    description=column.get("description", ""),
                    required=bool(meta.get("required", False)),
                    type=meta.get("type"),
                    min=meta.get("min"),
                    max_var=meta.get("max_var"),
                    accepted_values=None if accepted is None else tuple(str(v) for v in accepted),
                    reject_reason=meta.get("reject_reason"),
                    long_text=bool(meta.get("long_text", False)),
                    allow_future=bool(meta.get("allow_future", False)),
                )
            )
        key = tuple(str(c).lower() for c in _meta(table).get("key", []))
        if not key:
            raise ValueError(f"{path}: raw table '{table['name']}' has no config.meta.key")
        tables[table["name"]] = RawTable(name=table["name"], key=key, columns=tuple(columns))
    return tables


def load_limits(project_dir: Path = Path("."), overrides: dict | None = None) -> dict[str, float]:
    """The raw value limits (LIMIT_VARS) as dbt sees them: dbt_project.yml vars, then
    overrides (as `dbt --vars` would give them)."""
    limits = dict(LIMIT_VARS)
    project_file = Path(project_dir) / "dbt_project.yml"
    if project_file.is_file():
        project_vars = (yaml.safe_load(project_file.read_text()) or {}).get("vars") or {}
        limits.update({k: v for k, v in project_vars.items() if k in LIMIT_VARS})
    limits.update({k: v for k, v in (overrides or {}).items() if k in LIMIT_VARS})
    for name, value in limits.items():
        try:
            limits[name] = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"var {name} is {value!r}, not a number") from None
    return limits
