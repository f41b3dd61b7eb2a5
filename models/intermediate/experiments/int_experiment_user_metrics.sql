-- Per counted assignment and experiment metric: the user's numerator and denominator
-- measures in the assignment's window (int_experiment_windows: from assignment to the
-- experiment's end, or to a switchback slot's end) and in the
-- var experiment_pre_period_days before assignment (the CUPED covariate). Measures and
-- metrics come from the semantic layer (macros/metrics/semantic_metrics.sql), so every
-- number is the shared definition. Users without interactions count with zeros.
{%- set metrics = experiment_metrics() if execute else [] -%}
{%- set measures = {} -%}
{%- for metric in metrics -%}
    {%- do measures.update({metric.numerator.name: metric.numerator, metric.denominator.name: metric.denominator}) -%}
{%- endfor %}

with

windows as (
    select * from {{ ref('int_experiment_windows') }}
),

interactions as (
    select * from {{ ref('fct_interactions') }}
),

-- Interactions keep their own column names, so the measures' expressions apply as written.
-- fct_interactions holds pseudonymised user ids (macro pseudonymise): join on the pseudonym.
windowed as (
    select
        windows.experiment_id as assigned_experiment_id,
        windows.user_id as assigned_user_id,
        windows.variant as assigned_variant,
        windows.unit_id as assigned_unit_id,
        windows.assigned_at,
        interactions.*
    from windows
    left join interactions
        on
            windows.user_pseudonym = interactions.user_id
            and windows.pre_period_start_at <= interactions.event_at
            and windows.end_at > interactions.event_at
),

per_user as (
    select
        {%- for measure in measures.values() | sort(attribute='name') %}
            {{ measure_aggregate(measure, 'event_at >= assigned_at') }} as {{ measure.name }},
            {{ measure_aggregate(measure, 'event_at < assigned_at') }} as {{ measure.name }}_pre,
        {%- endfor %}
        assigned_experiment_id as experiment_id,
        assigned_user_id as user_id,
        assigned_variant as variant,
        assigned_unit_id as unit_id
    from windowed
    group by assigned_experiment_id, assigned_user_id, assigned_variant, assigned_unit_id
),

final as (
    {%- for metric in metrics %}
        select
            experiment_id,
            variant,
            user_id,
            unit_id,
            '{{ metric.name }}' as metric_name,
            cast({{ metric.numerator.name }} as double precision) as numerator,
            cast({{ metric.denominator.name }} as double precision) as denominator,
            cast({{ metric.numerator.name }}_pre as double precision) as numerator_pre,
            cast({{ metric.denominator.name }}_pre as double precision) as denominator_pre
        from per_user
        {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select * from final
