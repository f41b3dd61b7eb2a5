{#-
    dbt's is_incremental() asks the warehouse whether `this` exists before it looks at
    the materialization, and every Python model's compiled code calls it. Here the
    materialization is checked first, so non-incremental models never ask; and with
    var compile_offline = true (used by the Snowflake compile check, which has no
    connection) incremental models render their first-build code without asking.
-#}
{% macro is_incremental() %}
    {%- if not execute or model.config.materialized != 'incremental' or var('compile_offline') -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(dbt.is_incremental()) }}
{% endmacro %}
