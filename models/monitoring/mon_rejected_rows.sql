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

-- Every raw table has a 'kept' row, with 0 when nothing was kept (a header-only file, or
-- every row rejected), so an empty table is visible rather than missing.
raw_tables as (
    {%- for table_name in tables %}
        select '{{ table_name }}' as table_name
        {{ 'union all' if not loop.last }}
    {%- endfor %}
),

with_empty as (
    select * from outcomes
    union all
    select
        raw_tables.table_name,
        'kept' as outcome,
        cast(0 as {{ dbt.type_bigint() }}) as row_count
    from raw_tables
    where not exists (
        select 1 from outcomes
        where outcomes.table_name = raw_tables.table_name and outcomes.outcome = 'kept'
    )
),

final as (
    select
        table_name,
        outcome,
        row_count,
        cast(sum(row_count) over (partition by table_name) as {{ dbt.type_bigint() }}) as rows_in,
        cast(row_count as {{ dbt.type_float() }}) / nullif(sum(row_count) over (partition by table_name), 0)
            as row_share
    from with_empty
)

select * from final
