{#-
    Files mode: find the file of one raw table in var raw_data_path and return
    {path, query} where query selects its rows with their own column names, as text.
    DuckDB reads products.csv or products.parquet from a local folder; Snowflake
    reads products.parquet from the stage named by var raw_stage.
-#}
{% macro raw_file(table_name) %}
    {{ return(adapter.dispatch('raw_file', 'catalog_ml')(table_name)) }}
{% endmacro %}

{% macro default__raw_file(table_name) %}
    {%- set folder = var('raw_data_path').rstrip('/') -%}
    {%- set stem = folder ~ '/' ~ table_name -%}
    {%- set files = run_query(
        "select file from glob('" ~ stem ~ ".csv') union all select file from glob('"
        ~ stem ~ ".parquet') order by file").columns[0].values() -%}
    {%- if files | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "raw table '" ~ table_name ~ "': no file " ~ table_name ~ ".csv or " ~ table_name
            ~ ".parquet in folder '" ~ folder ~ "' (var raw_data_path, relative to where dbt runs)") }}
    {%- elif files | length > 1 -%}
        {{ exceptions.raise_compiler_error(
            "raw table '" ~ table_name ~ "': both " ~ files | join(' and ') ~ " exist; keep one") }}
    {%- endif -%}
    {%- set path = files[0] -%}
    {%- if path.endswith('.csv') -%}
        {%- set query = "select * from read_csv('" ~ path ~ "', header = true, all_varchar = true)" -%}
    {%- else -%}
        {%- set query = "select * from read_parquet('" ~ path ~ "')" -%}
    {%- endif -%}
    {{ return({'path': path, 'query': query}) }}
{% endmacro %}

{#- Snowflake: staged Parquet; column names come from INFER_SCHEMA. -#}
{% macro snowflake__raw_file(table_name) %}
    {%- set path = '@' ~ var('raw_stage') ~ '/' ~ table_name ~ '.parquet' -%}
    {%- set file_format = var('raw_parquet_file_format') -%}
    {%- set names = run_query(
        "select column_name from table(infer_schema(location => '" ~ path
        ~ "', file_format => '" ~ file_format ~ "'))").columns[0].values() -%}
    {%- set selected = [] -%}
    {%- for name in names -%}
        {%- do selected.append('$1:"' ~ name ~ '"::varchar as "' ~ name ~ '"') -%}
    {%- endfor -%}
    {%- set query = 'select ' ~ selected | join(', ') ~ " from " ~ path
        ~ " (file_format => '" ~ file_format ~ "')" -%}
    {{ return({'path': path, 'query': query}) }}
{% endmacro %}
