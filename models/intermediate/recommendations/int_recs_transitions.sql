-- Order-aware item-to-item transitions per cutoff: in each user's sequence of relevant
-- interactions before the cutoff (by time, ties by event id, repeats of the same product in a
-- row folded), how often product B came right after product A, as the share of A's next
-- steps (a first-order Markov chain: P(next = B | A)); the var recs_candidates_per_source
-- likeliest next products per product. Unlike co-visitation it is directed and weighs what
-- followed, not everything in the session.
with

events as (
    select * from {{ ref('int_recs_interactions_clean') }}
    where relevance_grade > 0
),

cutoffs as (
    select * from {{ ref('int_recs_cutoffs') }}
),

sequenced as (
    select
        cutoffs.cutoff_name,
        events.user_id,
        events.product_id,
        lag(events.product_id) over (
            partition by cutoffs.cutoff_name, events.user_id order by events.event_at, events.event_id
        ) as previous_product_id
    from events
    inner join cutoffs on events.event_at < cutoffs.cutoff_at
),

steps as (
    select
        cutoff_name,
        previous_product_id as product_id,
        product_id as related_product_id,
        count(*) as transition_count
    from sequenced
    where previous_product_id is not null and previous_product_id != product_id
    group by cutoff_name, previous_product_id, product_id
),

final as (
    select
        cutoff_name,
        product_id,
        related_product_id,
        transition_count,
        {{ deterministic_round(
            'transition_count * 1.0 / sum(transition_count) over (partition by cutoff_name, product_id)'
        ) }} as transition_score,
        row_number() over (
            partition by cutoff_name, product_id order by transition_count desc, related_product_id asc
        ) as related_rank
    from steps
    qualify related_rank <= {{ number_var('recs_candidates_per_source') }}
)

select * from final
