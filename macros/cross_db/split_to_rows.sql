{#-
    One row per (id, token) of a space-separated text column of a relation (or CTE).
    DuckDB unnests string_split in the select list; Snowflake has no unnest and needs a
    lateral join: FLATTEN of SPLIT gives the rows SPLIT_TO_TABLE would (empty tokens
    included, none for null text) in a form the tests' Snowflake emulator also runs.
-#}
{% macro split_to_rows(relation, id_column, text_column) %}
    {{ return(adapter.dispatch('split_to_rows', 'catalog_ml')(relation, id_column, text_column)) }}
{% endmacro %}

{% macro default__split_to_rows(relation, id_column, text_column) -%}
    select
        {{ id_column }},
        unnest(string_split({{ text_column }}, ' ')) as token
    from {{ relation }}
{%- endmacro %}

{% macro snowflake__split_to_rows(relation, id_column, text_column) -%}
    select
        source_rows.{{ id_column }},
        cast(tokens.value as varchar) as token
    from {{ relation }} as source_rows,
        lateral flatten(input => split(source_rows.{{ text_column }}, ' ')) as tokens
{%- endmacro %}
