-- The semantic layer's daily time spine (MetricFlow joins metrics to it for time series):
-- 10,000 days from 2015-01-01. Built from digits rather than dbt.date_spine, which queries
-- the warehouse at compile time (the Snowflake project must compile without a connection).
with

digits as (
    {%- for digit in range(10) %}
        select {{ digit }} as digit {{ 'union all' if not loop.last }}
    {%- endfor %}
),

day_numbers as (
    select ones.digit + 10 * tens.digit + 100 * hundreds.digit + 1000 * thousands.digit as day_number
    from digits as ones
    cross join digits as tens
    cross join digits as hundreds
    cross join digits as thousands
),

final as (
    select cast({{ dbt.dateadd('day', 'day_number', "cast('2015-01-01' as date)") }} as date) as date_day
    from day_numbers
)

select * from final
