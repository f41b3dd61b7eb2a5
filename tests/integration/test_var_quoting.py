"""Vars reach SQL only as checked numbers (macro number_var) or quoted strings (macro
sql_string): a crafted value can neither end a string literal nor be pasted as SQL."""

from __future__ import annotations

import json

from conftest import run_dbt

MODELS = ["-s", "int_recs_cutoffs", "int_recs_interactions_clean"]


def test_string_vars_are_quoted_literals(tmp_path):
    crafted = "2026-01-15 00:00:00' as timestamp); drop table stg_users; --"
    vars_ = json.dumps({"recs_eval_cutoff": crafted, "recs_relevant_event_types": ["o'click"]})
    result = run_dbt(["compile", *MODELS, "--vars", vars_], tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    compiled = next((tmp_path / "target" / "compiled").rglob("int_recs_cutoffs.sql")).read_text()
    assert "cast('2026-01-15 00:00:00'' as timestamp); drop table stg_users; --' as timestamp)" in (
        compiled
    )
    labels = next((tmp_path / "target" / "compiled").rglob("int_recs_interactions_clean.sql"))
    assert "('o''click')" in labels.read_text()


def test_a_numeric_var_set_to_text_fails_naming_the_var(tmp_path):
    vars_ = json.dumps({"recs_label_window_days": "28) as x; drop table stg_users; --"})
    result = run_dbt(["compile", *MODELS, "--vars", vars_], tmp_path)
    assert result.returncode != 0
    assert "var recs_label_window_days must be a number" in result.stdout
