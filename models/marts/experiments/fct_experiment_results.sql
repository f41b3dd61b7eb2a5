-- The experiment readout BI reads: int_experiment_readout's statistics with the experiment's
-- name and its health columns (assignments the readout could not count, by reason).
{%- set measures = ['metric_value', 'numerator', 'denominator', 'control_value', 'absolute_lift', 'relative_lift',
    'ci_low', 'ci_high', 'relative_ci_low', 'relative_ci_high', 'p_value', 'cuped_absolute_lift',
    'cuped_ci_low', 'cuped_ci_high', 'cuped_p_value', 'cuped_p_value_holm', 'cuped_variance_reduction',
    'cuped_mde', 'cuped_relative_mde', 'srm_p_value'] %}
{#- A design randomised by unit (cluster, switchback slot) is read out at its unit. -#}
{%- set reasons = ['multiple_variants', 'unknown_variant', 'assigned_outside_window',
    'experiment_has_no_control', 'unit_in_multiple_variants', 'invalid_slot', 'bot_user'] %}

with

readout as (
    select * from {{ ref('int_experiment_readout') }}
),

experiments as (
    select * from {{ ref('stg_experiments') }}
),

assignments as (
    select * from {{ ref('int_experiment_assignments_checked') }}
),

health as (
    select
        experiment_id,
        count(distinct case when reject_reason is null then user_id end) as users_counted,
        {%- for reason in reasons %}
            count(distinct case when reject_reason = '{{ reason }}' then user_id end) as users_{{ reason }},
        {%- endfor %}
        count(*) as assignment_rows
    from assignments
    group by experiment_id
),

final as (
    select
        readout.experiment_id,
        experiments.experiment_name,
        readout.variant,
        readout.is_control,
        readout.metric_name,
        readout.metric_role,
        readout.statistical_test,
        readout.analysis,
        readout.randomisation_unit,
        readout.desired_direction,
        cast(readout.users as {{ dbt.type_bigint() }}) as variant_users,
        cast(readout.units as {{ dbt.type_bigint() }}) as variant_units,
        {%- for column in measures %}
            readout.{{ column }},
        {%- endfor %}
        readout.cuped_note,
        {%- for column in ['is_significant', 'is_worse', 'has_srm'] %}
            cast(readout.{{ column }} as {{ dbt.type_boolean() }}) as {{ column }},
        {%- endfor %}
        readout.guardrail_status,
        readout.decision,
        readout.decision_reason,
        coalesce(health.users_counted, 0) as health_users_counted,
        {%- for reason in reasons %}
            coalesce(health.users_{{ reason }}, 0) as health_users_{{ reason }},
        {%- endfor %}
        coalesce(health.assignment_rows, 0) as health_assignment_rows
    from readout
    inner join experiments on readout.experiment_id = experiments.experiment_id
    left join health on readout.experiment_id = health.experiment_id
)

select * from final
