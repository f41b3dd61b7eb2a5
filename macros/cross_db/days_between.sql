{#- Fractional days from `start_at` to `end_at` (portable: dbt.datediff in seconds). -#}
{% macro days_between(start_at, end_at) -%}
    ({{ dbt.datediff(start_at, end_at, 'second') }} / 86400.0)
{%- endmacro %}
