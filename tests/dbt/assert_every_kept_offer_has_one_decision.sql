-- No offer vanishes between staging and the match mart: every kept offer has exactly one
-- decision and the mart holds no other offer. Returns each offer that breaks this.
with

kept as (
    select offer_id from {{ ref('stg_offers') }}
),

decided as (
    select
        offer_id,
        count(*) as decisions
    from {{ ref('fct_offer_matches') }}
    group by offer_id
)

select
    coalesce(kept.offer_id, decided.offer_id) as offer_id,
    coalesce(decided.decisions, 0) as decisions
from kept
full outer join decided on kept.offer_id = decided.offer_id
where kept.offer_id is null or decided.offer_id is null or decided.decisions != 1
