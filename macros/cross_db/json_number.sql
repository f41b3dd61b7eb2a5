{#-
    A number stored under `key` in a JSON text column (null when the key is missing or not a
    number). DuckDB reads JSON text with json_extract_string; Snowflake parses it into a
    VARIANT first (try_parse_json: text that is not JSON gives null, not an error).
-#}
{% macro json_number(column, key) %}
    {{ return(adapter.dispatch('json_number', 'catalog_ml')(column, key)) }}
{% endmacro %}

{% macro default__json_number(column, key) -%}
    try_cast(json_extract_string({{ column }}, '$.{{ key }}') as double)
{%- endmacro %}

{% macro snowflake__json_number(column, key) -%}
    try_to_double(try_parse_json({{ column }}):"{{ key }}"::varchar)
{%- endmacro %}
