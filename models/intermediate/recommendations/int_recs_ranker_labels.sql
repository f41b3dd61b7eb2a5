-- Labels for the training cutoffs (events in [cutoff, label_end_at)) and the relevant items
-- of the evaluation (events from the eval cutoff on): per user and product, the best
-- relevance grade of its events in the window (purchase 3, add_to_cart 2, click 1, types in
-- var recs_relevant_event_types only). Items the user had already seen before the cutoff are
-- not labels: they are never recommended (var recs_seen_event_types).
with

events as (
    select * from {{ ref('int_recs_interactions_clean') }}
    where relevance_grade > 0
),

cutoffs as (
    select * from {{ ref('int_recs_cutoffs') }}
    where label_end_at is not null
),

history as (
    select * from {{ ref('int_recs_user_history') }}
    where is_seen
),

in_window as (
    select
        cutoffs.cutoff_name,
        events.user_id,
        events.product_id,
        max(events.relevance_grade) as relevance
    from events
    inner join cutoffs on events.event_at >= cutoffs.cutoff_at and events.event_at < cutoffs.label_end_at
    group by cutoffs.cutoff_name, events.user_id, events.product_id
),

final as (
    select in_window.*
    from in_window
    left join history
        on
            in_window.cutoff_name = history.cutoff_name
            and in_window.user_id = history.user_id
            and in_window.product_id = history.product_id
    where history.product_id is null
)

select * from final
