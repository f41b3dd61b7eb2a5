{#-
    Each layer builds into a schema of its own (dbt_project.yml +schema: staging,
    intermediate, ml, evaluation, monitoring, demo, marts, snapshots), named as given on
    both engines, so grants, retention and BI access can be set per layer. Environments
    (dev, CI, prod) are kept apart by database: the DuckDB file, or SNOWFLAKE_DATABASE;
    a model without a layer lands in the target's schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
