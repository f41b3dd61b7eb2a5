"""Every column entry in the project's YAML uses only keys dbt knows: an unquoted comma or
colon in a flow-style description silently becomes a stray key and truncates the text. Every
macro in macros/ is described in macros/*.yml with its arguments."""

from __future__ import annotations

import re

import yaml
from project_yaml import REPO, column_entries

COLUMN_KEYS = {"name", "description", "data_tests", "tests", "data_type", "config"}
COLUMN_KEYS |= {"constraints", "quote", "meta", "tags", "granularity"}


def test_column_entries_have_only_known_keys():
    stray = [
        f"{path}: {owner}.{column.get('name')}: {sorted(set(column) - COLUMN_KEYS)}"
        for path, owner, column in column_entries()
        if set(column) - COLUMN_KEYS
    ]
    assert not stray, "quote these descriptions:\n" + "\n".join(stray)


MACRO = re.compile(r"\{%-?\s*(macro|test)\s+(\w+)\s*\((.*?)\)\s*-?%\}", re.S)
DISPATCH_PREFIXES = ("default__", "duckdb__", "snowflake__")


def _argument_names(signature: str) -> list[str]:
    """Names of a Jinja signature's arguments (defaults may hold lists with commas)."""
    names, depth, current = [], 0, ""
    for char in signature + ",":
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == "," and depth == 0:
            if current.strip():
                names.append(current.split("=")[0].strip())
            current = ""
        else:
            current += char
    return names


def project_macros() -> dict[str, list[str]]:
    """Every macro and generic test in macros/ (tests as test_<name>) with its arguments,
    less dispatch implementations of a macro the project defines (it describes them)."""
    found = {}
    for path in sorted(REPO.glob("macros/**/*.sql")):
        for kind, name, signature in MACRO.findall(path.read_text()):
            found[f"test_{name}" if kind == "test" else name] = _argument_names(signature)
    return {
        name: arguments
        for name, arguments in found.items()
        if not (name.startswith(DISPATCH_PREFIXES) and name.split("__", 1)[1] in found)
    }


def test_every_macro_is_described_with_its_arguments():
    documented = {}
    for path in sorted(REPO.glob("macros/**/*.yml")):
        for macro in (yaml.safe_load(path.read_text()) or {}).get("macros") or []:
            documented[macro["name"]] = macro
    macros, problems = project_macros(), []
    for name, arguments in macros.items():
        macro = documented.get(name)
        if macro is None or not str(macro.get("description") or "").strip():
            problems.append(f"{name}: no description in macros/*.yml")
            continue
        described = [a["name"] for a in macro.get("arguments") or [] if a.get("description")]
        if described != arguments:
            problems.append(f"{name}: arguments {arguments}, described {described}")
    problems += [
        f"{name}: described, but no such macro"
        for name in sorted(
            set(documented)
            - set(macros)
            - {n for n in documented if n.startswith(DISPATCH_PREFIXES)}
        )
    ]
    assert not problems, "\n".join(problems)


STAGING_FAMILY = ("_checked", "_rejected")


def test_every_model_is_described_in_the_yaml_file_named_after_it():
    """One convention: a model's YAML is <model>.yml beside its file; a staging table's
    checked and rejected models share the file of its kept model (stg_<table>.yml). Files
    named with a leading underscore hold the other resources (sources, exposures, the
    semantic layer), never models."""
    misplaced = []
    for path in sorted([*REPO.glob("models/**/*.yml"), *REPO.glob("python_models/**/*.yml")]):
        for model in (yaml.safe_load(path.read_text()) or {}).get("models") or []:
            name = model["name"]
            staging = [
                name[: -len(s)]
                for s in STAGING_FAMILY
                if name.startswith("stg_") and name.endswith(s)
            ]
            family = staging[0] if staging else name
            beside = list(path.parent.glob(f"{name}.sql")) + list(path.parent.glob(f"{name}.py"))
            if path.stem != family or not beside:
                misplaced.append(f"{path.relative_to(REPO)}: {name}")
    assert not misplaced, "describe each model in <model>.yml beside it:\n" + "\n".join(misplaced)
