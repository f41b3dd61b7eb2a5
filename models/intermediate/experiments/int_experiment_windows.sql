-- Each counted assignment (int_experiment_assignments_checked without a reject reason) with
-- the windows its interactions count in: from assignment to the experiment's end, or a
-- switchback's slot's end (the readout), and the var experiment_pre_period_days before
-- assignment (the CUPED covariate; none in a switchback).
-- user_pseudonym is the user's id as fct_interactions holds it (macro pseudonymise).
with

assignments as (
    select * from {{ ref('int_experiment_assignments_checked') }}
    where reject_reason is null
),

experiments as (
    select * from {{ ref('stg_experiments') }}
),

final as (
    select
        assignments.experiment_id,
        assignments.user_id,
        {{ pseudonymise('assignments.user_id') }} as user_pseudonym,
        assignments.variant,
        assignments.unit_id,
        assignments.assigned_at,
        -- A switchback's slot has no pre-period of its own (the hours before it are other
        -- slots of the experiment): an empty one, so CUPED is not applied.
        case
            when assignments.slot_end_at is not null then assignments.assigned_at
            else {{ dbt.dateadd('day', -number_var('experiment_pre_period_days'), 'assignments.assigned_at') }}
        end as pre_period_start_at,
        coalesce(assignments.slot_end_at, experiments.end_at) as end_at
    from assignments
    inner join experiments on assignments.experiment_id = experiments.experiment_id
)

select * from final
