"""The project's YAML column entries, for the tests that check them (test_project_yaml,
test_pii_tags)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def column_entries() -> Iterator[tuple[Path, str, dict]]:
    """(YAML path relative to the repository, model or source table name, column entry) for
    every column declared in models/ and python_models/."""
    for path in sorted([*REPO.glob("models/**/*.yml"), *REPO.glob("python_models/**/*.yml")]):
        document = yaml.safe_load(path.read_text()) or {}
        owners = list(document.get("models") or [])
        for source in document.get("sources") or []:
            owners += source.get("tables") or []
        for owner in owners:
            for column in owner.get("columns") or []:
                yield path.relative_to(REPO), owner["name"], column
