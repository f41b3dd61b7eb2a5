{#-
    dbt's is_incremental() asks the warehouse whether `this` exists before it looks at
    the materialization, and every Python model's compiled code calls it. Checking the
    materialization first skips that metadata query for non-incremental models, so
    `dbt compile --target snowflake --no-populate-cache` needs no connection.
-#}
{% macro is_incremental() %}
    {%- if not execute or model.config.materialized != 'incremental' -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(dbt.is_incremental()) }}
{% endmacro %}
