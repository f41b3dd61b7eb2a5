-- The experiment metrics as the readout uses them, read from the semantic layer: which
-- measures make each ratio, which test applies and which direction is better. A ratio
-- over distinct users is a per-user mean (Welch's t-test); any other ratio of counts is
-- a rate (two-proportion z-test, the denominator's units as trials).
{%- set metrics = experiment_metrics() if execute else [] %}
with

definitions as (
    {%- for metric in metrics %}
        select
            '{{ metric.name }}' as metric_name,
            '{{ metric.numerator.name }}' as numerator_measure,
            '{{ metric.denominator.name }}' as denominator_measure,
            '{{ "welch_t" if metric.denominator.agg == "count_distinct" else "two_proportion_z" }}'
                as statistical_test,
            '{{ metric.meta.desired_direction }}' as desired_direction
        {{ 'union all' if not loop.last }}
    {%- else %}
        select
            cast(null as {{ dbt.type_string() }}) as metric_name,
            cast(null as {{ dbt.type_string() }}) as numerator_measure,
            cast(null as {{ dbt.type_string() }}) as denominator_measure,
            cast(null as {{ dbt.type_string() }}) as statistical_test,
            cast(null as {{ dbt.type_string() }}) as desired_direction
        where 1 = 0
    {%- endfor %}
)

select * from definitions
