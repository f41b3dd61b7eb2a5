-- Every interaction the shared metrics count: deduplicated events of users not flagged as
-- bots (int_recs_interactions_clean), one 0/1 column per event type and the revenue of
-- purchases, with the user's segment and the event's surface (BI dimensions). The semantic
-- layer (models/marts/analytics/_semantic_layer.yml) and the experiment readout both
-- aggregate these columns, nothing else. user_id is the salted
-- pseudonym (macro pseudonymise): internal models join it on the pseudonym of their own ids.
with

interactions as (
    select * from {{ ref('int_recs_interactions_clean') }}
),

events as (
    select * from {{ ref('stg_events') }}
),

users as (
    select * from {{ ref('stg_users') }}
),

final as (
    select
        interactions.event_id,
        {{ pseudonymise('interactions.user_id') }} as user_id,
        interactions.product_id,
        interactions.event_type,
        interactions.event_at,
        cast(interactions.event_at as date) as event_date,
        interactions.category_level_1,
        coalesce(users.segment, 'unknown') as user_segment,
        coalesce(events.surface, 'unknown') as surface,
        {%- for event_type in ['impression', 'click', 'add_to_cart', 'purchase', 'hide'] %}
            case when interactions.event_type = '{{ event_type }}' then 1 else 0 end as is_{{ event_type }},
        {%- endfor %}
        case
            when interactions.event_type = 'purchase' then coalesce(events.price, interactions.price, 0)
            else 0
        end as revenue
    from interactions
    inner join events on interactions.event_id = events.event_id
    left join users on interactions.user_id = users.user_id
)

select * from final
