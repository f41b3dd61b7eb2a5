with

checked as (
    select * from {{ ref('stg_experiments_checked') }}
    where reject_reason is null
),

final as (
    select
        {{ clean_text('experiment_id') }} as experiment_id,
        {{ clean_text('name') }} as experiment_name,
        {{ clean_text('hypothesis') }} as hypothesis,
        lower({{ clean_text('primary_metric') }}) as primary_metric,
        lower({{ regexp_replace_all(clean_text('guardrail_metrics'), '[[:space:]]', '') }}) as guardrail_metrics,
        lower({{ regexp_replace_all(clean_text('expected_split'), '[[:space:]]', '') }}) as expected_split,
        start_at_typed as start_at,
        end_at_typed as end_at,
        slot_hours_typed as slot_hours
    from checked
)

select * from final
