-- One decision per kept offer, in order of authority: the reviewer's latest override, else
-- an exact match on a valid GTIN that names exactly one catalog product, else the model
-- (auto-match at or above the matcher's threshold, review from var match_review_floor up,
-- no match below), else no candidates. The model's own proposal is kept beside the final
-- decision so health metrics can count the model decisions humans reversed.
with

offers as (
    select * from {{ ref('stg_offers') }}
),

overrides as (
    select * from {{ ref('stg_match_overrides') }}
    where is_latest
),

unique_gtins as (
    select
        gtin,
        min(product_id) as product_id
    from {{ ref('stg_products') }}
    where gtin is not null
    group by gtin
    having count(*) = 1
),

candidate_scores as (
    select
        scores.offer_id,
        scores.product_id,
        scores.match_score,
        scores.match_threshold,
        scores.model_version,
        row_number() over (
            partition by scores.offer_id order by scores.match_score desc, scores.product_id asc
        ) as score_rank
    from {{ ref('ml_matcher_scores') }} as scores
    inner join {{ ref('int_catalog_candidates') }} as candidates
        on scores.offer_id = candidates.offer_id and scores.product_id = candidates.product_id
),

has_candidates as (
    select distinct offer_id from {{ ref('int_catalog_candidates') }}
),

model_decisions as (
    select
        offer_id,
        product_id as model_product_id,
        match_score,
        model_version,
        case
            when match_score >= match_threshold then 'matched'
            when match_score >= {{ number_var('match_review_floor') }} then 'review'
            else 'no_match'
        end as model_decision
    from candidate_scores
    where score_rank = 1
),

final as (
    select
        offers.offer_id,
        offers.merchant_id,
        case
            when overrides.offer_id is not null then overrides.product_id
            when unique_gtins.product_id is not null then unique_gtins.product_id
            when model_decisions.model_decision in ('matched', 'review') then model_decisions.model_product_id
        end as product_id,
        model_decisions.match_score,
        case
            when overrides.offer_id is not null
                then case when overrides.product_id is null then 'no_match' else 'matched' end
            when unique_gtins.product_id is not null then 'matched'
            when model_decisions.model_decision is not null then model_decisions.model_decision
            when has_candidates.offer_id is not null then 'review'
            else 'no_candidates'
        end as decision,
        case
            when overrides.offer_id is not null then 'override'
            when unique_gtins.product_id is not null then 'gtin'
            when model_decisions.model_decision is not null then 'model'
            when has_candidates.offer_id is not null then 'no_model'
            else 'blocking'
        end as decision_source,
        model_decisions.model_version,
        coalesce(overrides.created_at, cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }}))
            as decided_at,
        model_decisions.model_decision,
        model_decisions.model_product_id,
        overrides.offer_id is not null as is_overridden,
        offers.ingested_at
    from offers
    left join overrides on offers.offer_id = overrides.offer_id
    left join unique_gtins on offers.gtin = unique_gtins.gtin
    left join model_decisions on offers.offer_id = model_decisions.offer_id
    left join has_candidates on offers.offer_id = has_candidates.offer_id
)

select * from final
