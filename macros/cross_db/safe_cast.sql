{#-
    dbt's default safe_cast is a plain cast, which fails the whole query on the first
    unparseable value. DuckDB has try_cast (null on failure), which staging needs to
    quarantine bad rows instead of failing. Snowflake's own snowflake__safe_cast
    already uses TRY_CAST, so only DuckDB is overridden (dispatch search order in
    dbt_project.yml puts this project first).
-#}
{% macro duckdb__safe_cast(field, type) %}
    try_cast({{ field }} as {{ type }})
{% endmacro %}
