"""Personal data is tagged where it is declared: every YAML column holding a person's id, a
session of theirs or a reviewer's name has config.meta.pii, and a public mart holds such a
column only pseudonymised (macro pseudonymise; catalog_ml.privacy computes the same hash)."""

from __future__ import annotations

import hashlib

import duckdb
from project_yaml import column_entries

from catalog_ml.privacy import DEMO_SALT, pseudonymise

PII_COLUMNS = {"user_id", "reviewer", "session_id", "session_key"}


def pii_entries():
    """(path, owner, column name, the column's meta) of every YAML column."""
    for path, owner, column in column_entries():
        meta = {**(column.get("meta") or {}), **(column.get("config") or {}).get("meta", {})}
        yield path, owner, column["name"], meta


def test_every_personal_data_column_is_tagged_pii():
    entries = [entry for entry in pii_entries() if entry[2] in PII_COLUMNS]
    assert len(entries) > 40
    untagged = [
        f"{path}: {owner}.{name}" for path, owner, name, meta in entries if not meta.get("pii")
    ]
    assert untagged == []


def test_public_marts_hold_personal_data_only_pseudonymised():
    marts = [entry for entry in pii_entries() if entry[0].parts[:2] == ("models", "marts")]
    raw = [
        f"{path}: {owner}.{name}"
        for path, owner, name, meta in marts
        if (name in PII_COLUMNS or meta.get("pii")) and not meta.get("pseudonymised")
    ]
    assert raw == []
    assert {owner for _, owner, name, meta in marts if meta.get("pseudonymised")} == {
        "fct_experiment_interactions",
        "fct_interactions",
        "fct_recommendations",
    }


def test_python_pseudonym_equals_duckdb_sha256_of_salted_id():
    (expected,) = duckdb.sql(f"select sha256('{DEMO_SALT}|' || 'U240')").fetchall()[0]
    assert pseudonymise("U240", DEMO_SALT) == expected
    assert expected == hashlib.sha256(b"catalog-ml-demo-salt|U240").hexdigest()
    assert pseudonymise("U240", "another salt") != expected
    assert pseudonymise(None) is None
