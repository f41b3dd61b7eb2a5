{#- Now, in UTC, as a timestamp without time zone: the clock load times (UTC) are
    compared with. dbt.current_timestamp() is in the session's time zone on both engines. -#}
{% macro current_timestamp_utc() -%}
    {{ return(adapter.dispatch('current_timestamp_utc', 'catalog_ml')()) }}
{%- endmacro %}

{#- DuckDB: timezone() turns a timestamptz into the wall-clock time of that zone. -#}
{% macro default__current_timestamp_utc() -%}
    cast(timezone('UTC', current_timestamp) as timestamp)
{%- endmacro %}

{% macro snowflake__current_timestamp_utc() -%}
    cast(convert_timezone('UTC', current_timestamp()) as timestamp_ntz)
{%- endmacro %}
