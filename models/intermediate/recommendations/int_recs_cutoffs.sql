-- The points in time everything is computed as of (README, evaluation protocol): the
-- training cutoffs (features before each, labels in the var recs_label_window_days after it;
-- 'train' ends at the eval cutoff, 'train_2' one window earlier, ..., var
-- recs_training_cutoffs of them, so the ranker learns from the users of several windows),
-- eval (features before it, relevant items from it on) and serve (after the last event: all
-- clean events).
with

events as (
    select * from {{ ref('int_recs_interactions_clean') }}
),

bounds as (
    select
        {% if var('recs_eval_cutoff') -%}
            cast({{ sql_string(var('recs_eval_cutoff')) }} as timestamp)
        {%- else -%}
            {{ dbt.dateadd('day', 1 - number_var('recs_holdout_days'), "date_trunc('day', max(event_at))") }}
        {%- endif %} as eval_cutoff_at,
        {{ dbt.dateadd('second', 1, 'max(event_at)') }} as serve_cutoff_at
    from events
),

final as (
    {%- for cutoff_name in recs_training_cutoff_names() %}
        {%- set window_days = number_var('recs_label_window_days') %}
        select
            '{{ cutoff_name }}' as cutoff_name,
            cast({{ dbt.dateadd('day', -loop.index * window_days, 'eval_cutoff_at') }} as timestamp) as cutoff_at,
            cast({{ dbt.dateadd('day', -loop.index0 * window_days, 'eval_cutoff_at') }} as timestamp) as label_end_at
        from bounds
        union all
    {%- endfor %}
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
