"""The Snowflake path without a Snowflake account: the project compiles for the snowflake
target with dummy credentials and no connection, and every compiled statement parses in
the Snowflake dialect (so no DuckDB-only syntax leaked out of the dispatched macros)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import sqlglot
from conftest import run_dbt

DUMMY_CREDENTIALS = {
    "SNOWFLAKE_ACCOUNT": "dummy",
    "SNOWFLAKE_USER": "dummy",
    "SNOWFLAKE_PASSWORD": "dummy",
}


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workdir = tmp_path_factory.mktemp("snowflake")
    result = run_dbt(
        ["compile", "--no-populate-cache", "--vars", "{compile_offline: true}"],
        workdir,
        target="snowflake",
        env=DUMMY_CREDENTIALS,
    )
    assert result.returncode == 0, result.stdout[-5000:]
    return workdir / "target" / "compiled" / "catalog_ml"


def test_every_compiled_sql_statement_parses_as_snowflake(compiled):
    files = sorted(compiled.rglob("*.sql"))
    assert len(files) > 30
    failures = {}
    for path in files:
        try:
            sqlglot.parse(path.read_text(), read="snowflake")
        except sqlglot.errors.ParseError as error:
            failures[str(path.relative_to(compiled))] = str(error)[:300]
    assert failures == {}


def test_dialect_macros_compile_to_snowflake_functions(compiled):
    checked = (compiled / "models" / "staging" / "stg_events_checked.sql").read_text().lower()
    assert "try_cast(" in checked  # dbt.safe_cast on Snowflake
    products = (compiled / "models" / "staging" / "stg_products.sql").read_text().lower()
    assert "regexp_substr(" in products and "regexp_extract(" not in products
    assert ", 'g')" not in products  # DuckDB's global-replace flag stays on DuckDB


def test_python_models_compile_to_valid_python(compiled):
    files = sorted(compiled.rglob("*.py"))
    assert files
    for path in files:
        ast.parse(path.read_text(), filename=str(path))
