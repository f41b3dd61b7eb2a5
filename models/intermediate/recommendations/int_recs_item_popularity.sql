-- Per cutoff and catalog product (every product, also those nobody touched): popularity from
-- interactions (click, add_to_cart, purchase) before the cutoff, time-decayed, with its rank
-- overall and within the top-level category (the popularity retrieval source and the
-- cold-start fallback), a percentile and the smoothed share of users (for novelty).
with

events as (
    select * from {{ ref('int_recs_interactions_clean') }}
    where relevance_grade > 0
),

products as (
    select * from {{ ref('stg_products') }}
),

cutoffs as (
    select * from {{ ref('int_recs_cutoffs') }}
),

per_item as (
    select
        cutoffs.cutoff_name,
        events.product_id,
        count(distinct events.user_id) as user_count,
        count(*) as interaction_count,
        sum(case when {{ days_between('events.event_at', 'cutoffs.cutoff_at') }} <= 7 then 1 else 0 end)
            as interactions_7d,
        sum(case when {{ days_between('events.event_at', 'cutoffs.cutoff_at') }} <= 30 then 1 else 0 end)
            as interactions_30d,
        sum(case when events.event_type = 'purchase' then 1 else 0 end) as purchase_count,
        min(events.event_at) as first_interaction_at,
        max(events.event_at) as last_interaction_at,
        {{ deterministic_sum(
            'events.relevance_grade * ' ~ recs_decay(days_between('events.event_at', 'cutoffs.cutoff_at'))
        ) }} as decayed_popularity
    from events
    inner join cutoffs on events.event_at < cutoffs.cutoff_at
    group by cutoffs.cutoff_name, events.product_id
),

users_per_cutoff as (
    select
        cutoffs.cutoff_name,
        cutoffs.cutoff_at,
        count(distinct events.user_id) as active_users
    from cutoffs
    left join events on cutoffs.cutoff_at > events.event_at
    group by cutoffs.cutoff_name, cutoffs.cutoff_at
),

catalog as (
    select
        users_per_cutoff.cutoff_name,
        users_per_cutoff.cutoff_at,
        users_per_cutoff.active_users,
        products.product_id,
        coalesce(products.category_level_1, 'unknown') as category_level_1,
        products.price
    from products
    cross join users_per_cutoff
),

final as (
    select
        catalog.cutoff_name,
        catalog.product_id,
        catalog.category_level_1,
        catalog.price,
        coalesce(per_item.user_count, 0) as user_count,
        coalesce(per_item.interaction_count, 0) as interaction_count,
        coalesce(per_item.interactions_7d, 0) as interactions_7d,
        coalesce(per_item.interactions_30d, 0) as interactions_30d,
        coalesce(per_item.purchase_count, 0) as purchase_count,
        per_item.first_interaction_at,
        {{ days_between('per_item.last_interaction_at', 'catalog.cutoff_at') }} as days_since_last_interaction,
        coalesce(per_item.decayed_popularity, 0) as decayed_popularity,
        (coalesce(per_item.user_count, 0) + 1.0) / (catalog.active_users + 2.0) as user_share,
        row_number() over (
            partition by catalog.cutoff_name order by coalesce(per_item.decayed_popularity, 0) desc, catalog.product_id
        ) as popularity_rank,
        row_number() over (
            partition by catalog.cutoff_name, catalog.category_level_1
            order by coalesce(per_item.decayed_popularity, 0) desc, catalog.product_id
        ) as category_popularity_rank,
        percent_rank() over (
            partition by catalog.cutoff_name order by coalesce(per_item.decayed_popularity, 0)
        ) as popularity_percentile
    from catalog
    left join per_item
        on catalog.cutoff_name = per_item.cutoff_name and catalog.product_id = per_item.product_id
)

select * from final
