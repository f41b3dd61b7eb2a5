with

checked as (
    select * from {{ ref('stg_experiment_assignments_checked') }}
    where reject_reason is null
),

final as (
    select
        {{ clean_text('experiment_id') }} as experiment_id,
        {{ clean_text('user_id') }} as user_id,
        lower({{ clean_text('variant') }}) as variant,
        assigned_at_typed as assigned_at,
        nullif({{ clean_text('unit') }}, '') as unit
    from checked
)

select * from final
