-- Per cutoff, user and product: what the user did with the product before the cutoff. Only
-- events strictly before the cutoff count (point-in-time). is_seen marks the items that are
-- never recommended to the user again (var recs_seen_event_types).
with

events as (
    select * from {{ ref('int_recs_interactions_clean') }}
),

cutoffs as (
    select * from {{ ref('int_recs_cutoffs') }}
),

before_cutoff as (
    select
        cutoffs.cutoff_name,
        cutoffs.cutoff_at,
        events.*
    from events
    inner join cutoffs on events.event_at < cutoffs.cutoff_at
),

final as (
    select
        cutoff_name,
        user_id,
        product_id,
        max(category_level_1) as category_level_1,
        max(event_at) as last_event_at,
        min({{ days_between('event_at', 'cutoff_at') }}) as days_since_last_event,
        sum(case when relevance_grade > 0 then 1 else 0 end) as interaction_count,
        sum(case when event_type = 'impression' then 1 else 0 end) as impression_count,
        max(relevance_grade) as max_relevance_grade,
        max(case when event_type in {{ recs_sql_list(var('recs_seen_event_types')) }} then 1 else 0 end) = 1
            as is_seen,
        {{ deterministic_sum(
            '(case when relevance_grade > 0 then relevance_grade else 0.2 end) * '
            ~ recs_decay(days_between('event_at', 'cutoff_at'))
        ) }} as history_score
    from before_cutoff
    group by cutoff_name, user_id, product_id
)

select * from final
