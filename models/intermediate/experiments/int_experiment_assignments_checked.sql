-- Every staged assignment with the first readout check it fails (null = counted):
--   experiment_has_no_control  the registry's split names no 'control' variant
--   unknown_variant            the variant is not in the registry's split
--   assigned_outside_window    assigned before the experiment started or after it ended
--                              (so not before the user could be exposed to it)
--   multiple_variants          the user is assigned to more than one variant of the
--                              experiment: every row of such a user, none is merged or kept
--   unit_in_multiple_variants  the randomisation unit (cluster, time slot) has users in more
--                              than one variant: the unit's assignment is broken, every row
--   bot_user                   the bot filter flags the user (int_recs_user_behaviour)
with

assignments as (
    select * from {{ ref('stg_experiment_assignments') }}
),

experiments as (
    select * from {{ ref('stg_experiments') }}
),

variants as (
    select * from {{ ref('int_experiment_variants') }}
),

behaviour as (
    select * from {{ ref('int_recs_user_behaviour') }}
),

controls as (
    select distinct experiment_id
    from variants
    where is_control
),

variant_counts as (
    select
        experiment_id,
        user_id,
        count(distinct variant) as variant_count
    from assignments
    group by experiment_id, user_id
),

-- The randomisation unit: the assignment's unit, else the user.
units as (
    select
        experiment_id,
        user_id,
        variant,
        coalesce(unit, user_id) as unit_id
    from assignments
),

unit_variant_counts as (
    select
        experiment_id,
        unit_id,
        count(distinct variant) as variant_count
    from units
    group by experiment_id, unit_id
),

final as (
    select
        assignments.experiment_id,
        assignments.user_id,
        assignments.variant,
        assignments.assigned_at,
        units.unit_id,
        case
            when controls.experiment_id is null then 'experiment_has_no_control'
            when variants.variant is null then 'unknown_variant'
            when assignments.assigned_at < experiments.start_at or assignments.assigned_at >= experiments.end_at
                then 'assigned_outside_window'
            when variant_counts.variant_count > 1 then 'multiple_variants'
            when unit_variant_counts.variant_count > 1 then 'unit_in_multiple_variants'
            when coalesce(behaviour.is_bot, false) then 'bot_user'
        end as reject_reason
    from assignments
    inner join experiments on assignments.experiment_id = experiments.experiment_id
    inner join variant_counts
        on assignments.experiment_id = variant_counts.experiment_id and assignments.user_id = variant_counts.user_id
    inner join units
        on
            assignments.experiment_id = units.experiment_id
            and assignments.user_id = units.user_id
            and assignments.variant = units.variant
    inner join unit_variant_counts
        on units.experiment_id = unit_variant_counts.experiment_id and units.unit_id = unit_variant_counts.unit_id
    left join controls on assignments.experiment_id = controls.experiment_id
    left join variants
        on assignments.experiment_id = variants.experiment_id and assignments.variant = variants.variant
    left join behaviour on assignments.user_id = behaviour.user_id
)

select * from final
