-- Every staged assignment with the first readout check it fails (null = counted):
--   experiment_has_no_control  the registry's split names no 'control' variant
--   unknown_variant            the variant is not in the registry's split
--   assigned_outside_window    assigned before the experiment started or after it ended
--                              (so not before the user could be exposed to it)
--   invalid_slot               a switchback (the registry's slot_hours set) whose unit is not a
--                              slot of its grid (the start timestamp of start_at plus whole
--                              slots, before end_at), or assigned outside that slot
--   multiple_variants          the user is assigned more than once in the experiment (another
--                              variant or unit; in a switchback: within one time slot, as a
--                              switchback's users cross slots and variants by design): every
--                              row of such a user, none is merged or kept
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

-- The randomisation unit (the assignment's unit, else the user) and, in a switchback, the
-- slot the unit names (null when it names none).
units as (
    select
        assignments.experiment_id,
        assignments.user_id,
        assignments.variant,
        assignments.assigned_at,
        coalesce(assignments.unit, assignments.user_id) as unit_id,
        experiments.start_at,
        experiments.end_at,
        experiments.slot_hours,
        case
            when experiments.slot_hours is not null then {{ parse_timestamp_utc('assignments.unit') }}
        end as slot_start_at
    from assignments
    inner join experiments on assignments.experiment_id = experiments.experiment_id
),

slots as (
    select
        units.*,
        {{ dbt.dateadd('hour', 'units.slot_hours', 'units.slot_start_at') }} as slot_after_at,
        -- A user's assignments that must be one: the experiment's, a switchback slot's.
        count(*) over (
            partition by
                units.experiment_id,
                units.user_id,
                case when units.slot_hours is not null then units.unit_id end
        ) as assignment_count
    from units
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
        slots.experiment_id,
        slots.user_id,
        slots.variant,
        slots.assigned_at,
        slots.unit_id,
        -- A switchback's window ends with the assignment's slot (or the experiment).
        case when slots.slot_hours is not null then least(slots.slot_after_at, slots.end_at) end as slot_end_at,
        case
            when controls.experiment_id is null then 'experiment_has_no_control'
            when variants.variant is null then 'unknown_variant'
            when slots.assigned_at < slots.start_at or slots.assigned_at >= slots.end_at
                then 'assigned_outside_window'
            when
                slots.slot_hours is not null and (
                    slots.slot_start_at is null
                    or slots.slot_start_at < slots.start_at
                    or slots.slot_start_at >= slots.end_at
                    or mod(
                        {{ dbt.datediff('slots.start_at', 'slots.slot_start_at', 'second') }}, slots.slot_hours * 3600
                    ) != 0
                    or slots.assigned_at < slots.slot_start_at
                    or slots.assigned_at >= slots.slot_after_at
                )
                then 'invalid_slot'
            when slots.assignment_count > 1 then 'multiple_variants'
            when unit_variant_counts.variant_count > 1 then 'unit_in_multiple_variants'
            when coalesce(behaviour.is_bot, false) then 'bot_user'
        end as reject_reason
    from slots
    inner join unit_variant_counts
        on slots.experiment_id = unit_variant_counts.experiment_id and slots.unit_id = unit_variant_counts.unit_id
    left join controls on slots.experiment_id = controls.experiment_id
    left join variants
        on slots.experiment_id = variants.experiment_id and slots.variant = variants.variant
    left join behaviour on slots.user_id = behaviour.user_id
)

select * from final
