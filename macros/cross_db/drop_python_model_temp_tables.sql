{#-
    Post-hook of the incremental Python models (the trainers): drops the staging tables
    dbt-duckdb leaves behind. On an incremental run dbt-duckdb (1.11) writes a Python model's
    new rows to `<model>__dbt_tmp<timestamp>` and merges them into the model. Its
    materialization takes that table for a DuckDB temporary table, which would vanish with
    the connection, so it never drops it; but the Python model writes through a cursor of
    its own, where a temporary table would be invisible to dbt's connection, so
    `py_write_table` creates an ordinary table in the database's default schema, and each
    incremental build left one more. Run after the commit (`transaction: false`): this
    build's staging table and any an interrupted build left are dropped. dbt-snowflake
    stages Python rows in a temporary table and drops it itself: nothing to do there.
-#}
{% macro drop_python_model_temp_tables(relation) %}
    {{ return(adapter.dispatch('drop_python_model_temp_tables', 'catalog_ml')(relation)) }}
{% endmacro %}

{% macro default__drop_python_model_temp_tables(relation) %}
    {{ return('') }}
{% endmacro %}

{% macro duckdb__drop_python_model_temp_tables(relation) %}
    {%- if execute -%}
        {%- set prefix = relation.identifier ~ '__dbt_tmp' -%}
        {%- set leftovers = run_query(
            "select table_schema, table_name from information_schema.tables"
            ~ " where table_catalog = '" ~ relation.database ~ "'"
            ~ " and table_type = 'BASE TABLE'"
            ~ " and starts_with(table_name, '" ~ prefix ~ "')"
            ~ " order by table_schema, table_name"
        ) -%}
        {%- for row in leftovers.rows -%}
            {%- do log('dropping leftover ' ~ row[0] ~ '.' ~ row[1], info=false) -%}
            {%- do adapter.drop_relation(api.Relation.create(
                database=relation.database, schema=row[0], identifier=row[1], type='table'
            )) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
