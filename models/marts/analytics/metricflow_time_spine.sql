-- The semantic layer's daily time spine (MetricFlow joins metrics to it for time series).
with

days as (
    {{ dbt.date_spine('day', "cast('2015-01-01' as date)", "cast('2036-01-01' as date)") }}
),

final as (
    select cast(date_day as date) as date_day
    from days
)

select * from final
