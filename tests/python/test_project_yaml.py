"""Every column entry in the project's YAML uses only keys dbt knows: an unquoted comma or
colon in a flow-style description silently becomes a stray key and truncates the text."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
COLUMN_KEYS = {"name", "description", "data_tests", "tests", "data_type", "config"}
COLUMN_KEYS |= {"constraints", "quote", "meta", "tags", "granularity"}


def column_entries():
    for path in sorted([*REPO.glob("models/**/*.yml"), *REPO.glob("python_models/**/*.yml")]):
        document = yaml.safe_load(path.read_text()) or {}
        owners = list(document.get("models") or [])
        for source in document.get("sources") or []:
            owners += source.get("tables") or []
        for owner in owners:
            for column in owner.get("columns") or []:
                yield path.relative_to(REPO), owner["name"], column


def test_column_entries_have_only_known_keys():
    stray = [
        f"{path}: {owner}.{column.get('name')}: {sorted(set(column) - COLUMN_KEYS)}"
        for path, owner, column in column_entries()
        if set(column) - COLUMN_KEYS
    ]
    assert not stray, "quote these descriptions:\n" + "\n".join(stray)
