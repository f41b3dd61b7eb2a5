-- Item-to-item co-visitation per cutoff: two products interacted with (click, add_to_cart,
-- purchase) in the same built session, weighted by the session's time decay to the cutoff
-- and damped for long sessions; the var recs_candidates_per_source best neighbours per product.
with

events as (
    select * from {{ ref('int_recs_interactions_clean') }}
    where relevance_grade > 0
),

cutoffs as (
    select * from {{ ref('int_recs_cutoffs') }}
),

session_items as (
    select
        cutoffs.cutoff_name,
        events.session_key,
        events.product_id,
        {{ recs_decay(days_between('max(events.event_at)', 'max(cutoffs.cutoff_at)')) }} as decay
    from events
    inner join cutoffs on events.event_at < cutoffs.cutoff_at
    group by cutoffs.cutoff_name, events.session_key, events.product_id
),

bounded_sessions as (
    -- at most 30 products per session keep the self-join linear in sessions
    select
        *,
        count(*) over (partition by cutoff_name, session_key) as session_items
    from session_items
    qualify row_number() over (partition by cutoff_name, session_key order by product_id) <= 30
),

pairs as (
    select
        anchor.cutoff_name,
        anchor.product_id,
        neighbour.product_id as related_product_id,
        {{ deterministic_sum('least(anchor.decay, neighbour.decay) / ln(1 + anchor.session_items)') }}
            as covisitation_score
    from bounded_sessions as anchor
    inner join bounded_sessions as neighbour
        on
            anchor.cutoff_name = neighbour.cutoff_name
            and anchor.session_key = neighbour.session_key
            and anchor.product_id != neighbour.product_id
    group by anchor.cutoff_name, anchor.product_id, neighbour.product_id
),

final as (
    select
        *,
        row_number() over (
            partition by cutoff_name, product_id order by covisitation_score desc, related_product_id asc
        ) as related_rank
    from pairs
    qualify related_rank <= {{ number_var('recs_candidates_per_source') }}
)

select * from final
