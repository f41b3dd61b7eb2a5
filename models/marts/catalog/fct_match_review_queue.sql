-- What a catalog reviewer should look at next: offers the matcher sent to review, ordered
-- by the expected value of a label = uncertainty (1 - |2p - 1|: 1 at p = 0.5) x value at
-- stake (offer price x ln(2 + impressions of the proposed product over the event log)),
-- with the top three candidate products. A reviewer's decision comes back as an override
-- (or a new label) and changes the next build.
with

decisions as (
    select * from {{ ref('int_catalog_decisions') }}
    where decision = 'review'
),

offers as (
    select * from {{ ref('stg_offers') }}
),

products as (
    select * from {{ ref('stg_products') }}
),

impressions as (
    select
        product_id,
        count(*) as impression_count
    from {{ ref('stg_events') }}
    where event_type = 'impression'
    group by product_id
),

top_candidates as (
    select
        scores.offer_id,
        scores.product_id,
        scores.match_score,
        row_number() over (partition by scores.offer_id order by scores.match_score desc, scores.product_id asc)
            as candidate_rank
    from {{ ref('ml_matcher_scores') }} as scores
    inner join {{ ref('int_catalog_candidates') }} as candidates
        on scores.offer_id = candidates.offer_id and scores.product_id = candidates.product_id
    inner join decisions on scores.offer_id = decisions.offer_id
),

valued as (
    select
        decisions.offer_id,
        decisions.merchant_id,
        offers.title as offer_title,
        offers.price as offer_price,
        offers.currency as offer_currency,
        decisions.match_score,
        1.0 - abs(2.0 * coalesce(decisions.match_score, 0.5) - 1.0) as uncertainty,
        coalesce(impressions.impression_count, 0) as proposed_product_impressions,
        (1.0 - abs(2.0 * coalesce(decisions.match_score, 0.5) - 1.0))
        * coalesce(offers.price, 1.0)
        * ln(2.0 + coalesce(impressions.impression_count, 0)) as expected_label_value,
        offers.ingested_at as waiting_since
    from decisions
    inner join offers on decisions.offer_id = offers.offer_id
    left join impressions on decisions.product_id = impressions.product_id
),

-- sqlfluff reads the unrolled loop's layout differently on each pass: layout unchecked here
-- noqa: disable=LT02
candidates_wide as (
    select
        top_candidates.offer_id,
        {%- for rank in [1, 2, 3] %}
            max(case when top_candidates.candidate_rank = {{ rank }} then top_candidates.product_id end)
                as candidate_{{ rank }}_product_id,
            max(case when top_candidates.candidate_rank = {{ rank }} then products.title end)
                as candidate_{{ rank }}_title,
            max(case when top_candidates.candidate_rank = {{ rank }} then top_candidates.match_score end)
                as candidate_{{ rank }}_score{{ ',' if not loop.last }}
        {%- endfor %}
    from top_candidates
    inner join products on top_candidates.product_id = products.product_id
    where top_candidates.candidate_rank <= 3
    group by top_candidates.offer_id
),
-- noqa: enable=LT02

final as (
    select
        row_number() over (order by valued.expected_label_value desc, valued.offer_id asc) as queue_rank,
        valued.*,
        candidates_wide.* exclude (offer_id)  -- noqa: RF02
    from valued
    left join candidates_wide on valued.offer_id = candidates_wide.offer_id
)

select * from final
