"""The Snowflake path without a Snowflake account, for what the emulator cannot show.

test_snowflake_emulator.py executes every SQL model and data test in Snowflake's dialect on
fakesnow. But fakesnow runs on DuckDB and passes any function it does not know through to
DuckDB, so DuckDB-only SQL (regexp_extract, list_aggregate, strftime, read_csv, an aggregate's
`filter (where ...)`) runs there as if it were Snowflake's. This module compiles the project
with the README's command, `dbt compile --target snowflake --no-populate-cache`, with no
SNOWFLAKE_* variable set (the profile is then offline), and fails on any DuckDB-only function
or syntax in the compiled SQL: such SQL belongs in a dispatched macro's default__ body.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
import yaml
from conftest import REPO, run_dbt
from jinja2.nativetypes import NativeEnvironment
from sqlglot.dialects.snowflake import Snowflake
from sqlglot.tokens import TokenType

# DuckDB functions Snowflake does not have, with the Snowflake function to use instead.
DUCKDB_ONLY_FUNCTIONS = {
    "regexp_extract": "regexp_substr",
    "regexp_extract_all": "regexp_substr_all",
    "regexp_matches": "regexp_like",
    "regexp_full_match": "regexp_like",
    "regexp_split_to_array": "split / regexp_substr_all",
    "list_aggregate": "array functions or a lateral flatten",
    "list_value": "array_construct",
    "list_transform": "transform",
    "list_filter": "filter",
    "list_contains": "array_contains",
    "list_sort": "array_sort",
    "list_distinct": "array_distinct",
    "list": "array_agg",
    "array_length": "array_size",
    "string_split": "split (or lateral flatten(split(...)))",
    "str_split": "split",
    "string_split_regex": "regexp_substr_all",
    "unnest": "lateral flatten",
    "strftime": "to_char",
    "strptime": "to_timestamp",
    "read_csv": "a stage and copy into",
    "read_csv_auto": "a stage and copy into",
    "read_parquet": "a stage and copy into",
    "read_json": "a stage and copy into",
    "read_blob": "a stage",
    "glob": "list @stage",
    "jaro_winkler_similarity": "jarowinkler_similarity (0..100)",
    "levenshtein": "editdistance",
    "damerau_levenshtein": "editdistance",
    "sha256": "sha2(x, 256)",
    "arg_max": "max_by",
    "arg_min": "min_by",
    "argmax": "max_by",
    "argmin": "min_by",
    "quantile_cont": "percentile_cont",
    "quantile_disc": "percentile_disc",
    "string_agg": "listagg",
    "group_concat": "listagg",
    "json_extract": "get_path / json_extract_path_text",
    "json_extract_string": "json_extract_path_text",
    "json_object": "object_construct",
    "json_array": "array_construct",
    "struct_pack": "object_construct",
    "epoch_ms": "date_part(epoch_millisecond, ...)",
    "epoch": "date_part(epoch_second, ...)",
    "date_diff": "datediff",
    "make_date": "date_from_parts",
    "make_timestamp": "timestamp_from_parts",
    "timezone": "convert_timezone",
    "isodow": "dayofweekiso",
    "generate_series": "generator / row_number",
    "range": "generator / row_number",
    "gen_random_uuid": "uuid_string",
}
SNOWFLAKE = Snowflake()


def duckdb_only_sql(sql: str) -> list[str]:
    """The DuckDB-only functions and syntax in sql, outside comments and string literals."""
    types = [token.token_type for token in SNOWFLAKE.tokenize(sql)]
    texts = [token.text.lower() for token in SNOWFLAKE.tokenize(sql)]
    found = []
    for i in range(len(types) - 1):
        called = types[i] != TokenType.STRING and types[i + 1] == TokenType.L_PAREN
        if called and texts[i] in DUCKDB_ONLY_FUNCTIONS:
            found.append(f"{texts[i]}() (Snowflake: {DUCKDB_ONLY_FUNCTIONS[texts[i]]})")
        if types[i : i + 3] == [TokenType.FILTER, TokenType.L_PAREN, TokenType.WHERE]:
            found.append("filter (where ...) (Snowflake: count_if, or a case inside the aggregate)")
    return found


def test_the_check_flags_duckdb_only_sql_and_passes_snowflake_sql():
    duckdb_sql = (
        "select regexp_extract(title, '[0-9]+'), list_aggregate(xs, 'sum'),"
        " strftime(at, '%Y'), count(*) filter (where x > 1)"
        " from read_csv('a.csv')  -- unnest( in a comment is fine"
    )
    assert [item.split("(")[0] for item in duckdb_only_sql(duckdb_sql)] == [
        "regexp_extract",
        "list_aggregate",
        "strftime",
        "filter ",
        "read_csv",
    ]
    snowflake_sql = (
        "select regexp_substr(title, '[0-9]+'), jarowinkler_similarity(a, b), count_if(x > 1),"
        " 'strftime(' as text, t.value from s, lateral flatten(split(s.a, ' ')) as t"
        " /* regexp_extract(x) */"
    )
    assert duckdb_only_sql(snowflake_sql) == []


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The README's offline compile: no SNOWFLAKE_* variable, no --vars."""
    workdir = tmp_path_factory.mktemp("snowflake")
    with pytest.MonkeyPatch.context() as patch:
        for name in ("SNOWFLAKE_ACCOUNT", "SNOWFLAKE_USER", "SNOWFLAKE_PASSWORD"):
            patch.delenv(name, raising=False)
        result = run_dbt(["compile", "--no-populate-cache"], workdir, target="snowflake")
    assert result.returncode == 0, result.stdout[-5000:]
    return workdir / "target" / "compiled" / "catalog_ml"


def test_compiled_snowflake_sql_has_no_duckdb_only_functions(compiled):
    files = sorted(compiled.rglob("*.sql"))
    assert len(files) > 100  # models and data tests
    found = {}
    for path in files:
        leaks = duckdb_only_sql(path.read_text())
        if leaks:
            found[str(path.relative_to(compiled))] = leaks
    assert found == {}


def test_python_models_compile_to_valid_python(compiled):
    # fakesnow cannot run them; Snowpark local testing calls model() without dbt-snowflake's
    # compiled wrapper: this is the one check of the code dbt sends to Snowflake.
    files = sorted(compiled.rglob("*.py"))
    assert files
    for path in files:
        ast.parse(path.read_text(), filename=str(path))


def test_snowflake_only_configs_reach_the_models(compiled):
    manifest = json.loads((compiled.parents[1] / "manifest.json").read_text())
    models = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    permanent = {"ml_matcher_train", "ml_ranker_train", "ml_metadata_train"}  # registries
    permanent |= {name for name, node in models.items() if node["fqn"][1] == "marts"}
    for name, node in models.items():
        if node["config"]["materialized"] in ("table", "incremental"):
            assert node["config"]["transient"] is (name not in permanent), name
    assert models["stg_events"]["config"]["cluster_by"] == ["to_date(event_at)"]
    assert models["fct_interactions"]["config"]["cluster_by"] == ["event_date"]
    assert models["fct_recommendations"]["config"]["grants"] == {}  # no BI role given
    for snapshot in (n for n in manifest["nodes"].values() if n["resource_type"] == "snapshot"):
        assert snapshot["config"]["transient"] is False


@pytest.mark.parametrize(
    ("target_type", "role", "grants"),
    [
        ("snowflake", "bi_reader", {"select": ["bi_reader"]}),
        ("snowflake", None, {}),
        ("duckdb", "bi_reader", {}),
    ],
)
def test_public_marts_grant_select_to_the_bi_role_on_snowflake_only(target_type, role, grants):
    project = yaml.safe_load((REPO / "dbt_project.yml").read_text())
    expression = project["models"]["catalog_ml"]["marts"]["+grants"]
    variables = {"snowflake_bi_role": role}
    rendered = (
        NativeEnvironment()
        .from_string(expression)
        .render(
            var=lambda name, default=None: variables.get(name, default),
            target={"type": target_type},
        )
    )
    assert rendered == grants
