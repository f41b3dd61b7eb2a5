{%- set tables = raw_table_names() -%}

with

outcomes as (
    {%- for table_name in tables %}
        select
            '{{ table_name }}' as table_name,
            coalesce(reject_reason, 'kept') as outcome,
            count(*) as row_count
        from {{ ref('stg_' ~ table_name ~ '_checked') }}
        group by 1, 2
        {{ 'union all' if not loop.last }}
    {%- endfor %}
),

final as (
    select
        table_name,
        outcome,
        row_count,
        cast(sum(row_count) over (partition by table_name) as {{ dbt.type_bigint() }}) as rows_in,
        cast(row_count as {{ dbt.type_float() }}) / sum(row_count) over (partition by table_name) as row_share
    from outcomes
)

select * from final
