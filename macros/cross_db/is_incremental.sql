{#-
    dbt's is_incremental() asks the warehouse whether `this` exists before it looks at
    the materialization, and every Python model's compiled code calls it. Here the
    materialization is checked first, so non-incremental models never ask; and offline
    (is_offline: a compile without a warehouse connection) incremental models render their
    first-build code without asking.
-#}
{% macro is_incremental() %}
    {%- if not execute or model.config.materialized != 'incremental' or is_offline() -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(dbt.is_incremental()) }}
{% endmacro %}

{#-
    True when there is no warehouse to ask: var compile_offline, or the Snowflake target
    with no account configured (profiles.yml.example names the account 'offline' when
    SNOWFLAKE_ACCOUNT is unset), so that `dbt compile --target snowflake --no-populate-cache`
    works as the README gives it.
-#}
{% macro is_offline() %}
    {{ return(var('compile_offline') or (target.type == 'snowflake' and target.account == 'offline')) }}
{% endmacro %}
