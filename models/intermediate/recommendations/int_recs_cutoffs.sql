-- The three points in time everything is computed as of (README, evaluation protocol):
-- train (features before it, labels from it to the eval cutoff), eval (features before it,
-- relevant items from it on) and serve (after the last event: all clean events).
with

events as (
    select * from {{ ref('int_recs_interactions_clean') }}
),

bounds as (
    select
        {% if var('recs_eval_cutoff') -%}
            cast('{{ var("recs_eval_cutoff") }}' as timestamp)
        {%- else -%}
            {{ dbt.dateadd('day', 1 - var('recs_holdout_days'), "date_trunc('day', max(event_at))") }}
        {%- endif %} as eval_cutoff_at,
        {{ dbt.dateadd('second', 1, 'max(event_at)') }} as serve_cutoff_at
    from events
),

final as (
    select
        'train' as cutoff_name,
        cast({{ dbt.dateadd('day', -var('recs_label_window_days'), 'eval_cutoff_at') }} as timestamp) as cutoff_at,
        cast(eval_cutoff_at as timestamp) as label_end_at
    from bounds
    union all
    select
        'eval' as cutoff_name,
        cast(eval_cutoff_at as timestamp) as cutoff_at,
        cast(serve_cutoff_at as timestamp) as label_end_at
    from bounds
    union all
    select
        'serve' as cutoff_name,
        cast(serve_cutoff_at as timestamp) as cutoff_at,
        cast(null as timestamp) as label_end_at
    from bounds
)

select * from final
