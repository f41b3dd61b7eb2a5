-- What the recommender learns from: deduplicated events of users not flagged as bots, with the
-- product's top-level category and price (products may come without them: outside data).
with

events as (
    select * from {{ ref('int_recs_events_deduped') }}
),

behaviour as (
    select * from {{ ref('int_recs_user_behaviour') }}
),

products as (
    select * from {{ ref('stg_products') }}
),

final as (
    select
        events.event_id,
        events.user_id,
        events.product_id,
        events.event_type,
        events.event_at,
        events.session_key,
        coalesce(products.category_level_1, 'unknown') as category_level_1,
        products.price,
        {{ recs_relevance_grade('events.event_type') }} as relevance_grade
    from events
    inner join behaviour on events.user_id = behaviour.user_id
    inner join products on events.product_id = products.product_id
    where not behaviour.is_bot
)

select * from final
