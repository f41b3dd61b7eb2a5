{#-
    One row per (row of `relation`, column other than `key_columns`): the key columns,
    column_name (lower case) and column_value (double, nulls kept). Every non-key column of
    `relation` must be numeric. Column names are not known at compile time (monitors unpivot
    whatever features a registry row lists), so neither body names them:
    DuckDB unpivots COLUMNS(* EXCLUDE ...) with INCLUDE NULLS; Snowflake's UNPIVOT needs the
    column list, so the row becomes an object (OBJECT_CONSTRUCT_KEEP_NULL keeps the nulls)
    that LATERAL FLATTEN turns into key-value rows.
-#}
{% macro unpivot_columns(relation, key_columns) %}
    {{ return(adapter.dispatch('unpivot_columns', 'catalog_ml')(relation, key_columns)) }}
{% endmacro %}

{% macro default__unpivot_columns(relation, key_columns) -%}
    select
        {{ key_columns | join(', ') }},
        lower(column_name) as column_name,
        cast(column_value as double) as column_value
    from {{ relation }}
    unpivot include nulls (
        column_value for column_name in (columns(* exclude ({{ key_columns | join(', ') }})))
    )
{%- endmacro %}

{% macro snowflake__unpivot_columns(relation, key_columns) -%}
    select
        {%- for column in key_columns %}
        row_objects.{{ column }},
        {%- endfor %}
        lower(fields.key) as column_name,
        cast(fields.value as float) as column_value
    from (
        select
            {{ key_columns | join(', ') }},
            object_construct_keep_null(* exclude ({{ key_columns | join(', ') }})) as row_object
        from {{ relation }}
    ) as row_objects,
        lateral flatten(input => row_objects.row_object) as fields
{%- endmacro %}
