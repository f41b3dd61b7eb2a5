{#-
    Start of an incremental build's window over `relation` (an incremental model already
    built): midnight of the day of its latest `column` value, minus var
    incremental_lookback_days days. Models that aggregate events per user replace every user
    with an event at or after it, so events arriving up to that many days late land where a
    full refresh puts them. A scalar subquery; date_trunc and dbt.dateadd mean the same on
    DuckDB and Snowflake.
-#}
{% macro recs_incremental_window(relation, column) -%}
    select
        {{ dbt.dateadd(
            'day', -1 * number_var('incremental_lookback_days'),
            'date_trunc(\'day\', max(window_source.' ~ column ~ '))'
        ) }}
    from {{ relation }} as window_source
{%- endmacro %}
