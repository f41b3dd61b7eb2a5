-- Catalog health in one row (shared definitions for BI and the semantic layer):
--   automated_match_rate     offers matched without a human (GTIN rule or model) / kept offers
--   override_rate            model decisions a reviewer reversed / offers the model decided
--   review_backlog           offers waiting in review, and the median and oldest wait in days
--   tail_selection_coverage  long-tail products (outside the top 20% by impressions) with at
--                            least one matched offer / long-tail products
--   category_fill_rate, brand_fill_rate  products with a value (any source) in dim_products
with

decisions as (
    select * from {{ ref('int_catalog_decisions') }}
),

impressions as (
    select
        products.product_id,
        count(events.event_id) as impression_count
    from {{ ref('stg_products') }} as products
    left join {{ ref('stg_events') }} as events
        on products.product_id = events.product_id and events.event_type = 'impression'
    group by products.product_id
),

long_tail as (
    select product_id
    from impressions
    qualify percent_rank() over (order by impression_count desc) >= 0.2
),

matched_products as (
    select distinct product_id
    from decisions
    where decision = 'matched'
),

tail_matches as (
    select
        count(*) as tail_products,
        count(matched_products.product_id) as tail_products_matched
    from long_tail
    left join matched_products on long_tail.product_id = matched_products.product_id
),

review as (
    select
        count(*) as review_backlog,
        median({{ days_between('ingested_at', dbt.current_timestamp()) }}) as review_median_age_days,
        max({{ days_between('ingested_at', dbt.current_timestamp()) }}) as review_max_age_days
    from decisions
    where decision = 'review'
),

rates as (
    select
        count(*) as offers,
        sum(case when decision = 'matched' and decision_source in ('gtin', 'model') then 1 else 0 end)
            as automated_matches,
        sum(case when model_decision is not null then 1 else 0 end) as model_decisions,
        sum(
            case
                when
                    is_overridden and model_decision is not null
                    and (
                        (decision = 'matched') != (model_decision = 'matched')
                        or coalesce(product_id, '') != coalesce(model_product_id, '')
                    )
                    then 1
                else 0
            end
        ) as model_decisions_reversed
    from decisions
),

fill as (
    select
        avg(case when category is not null then 1.0 else 0.0 end) as category_fill_rate,
        avg(case when brand is not null then 1.0 else 0.0 end) as brand_fill_rate
    from {{ ref('dim_products') }}
),

final as (
    select
        rates.offers,
        rates.automated_matches * 1.0 / nullif(rates.offers, 0) as automated_match_rate,
        rates.model_decisions_reversed * 1.0 / nullif(rates.model_decisions, 0) as override_rate,
        review.review_backlog,
        review.review_median_age_days,
        review.review_max_age_days,
        tail_matches.tail_products_matched * 1.0 / nullif(tail_matches.tail_products, 0) as tail_selection_coverage,
        fill.category_fill_rate,
        fill.brand_fill_rate
    from rates
    cross join review
    cross join tail_matches
    cross join fill
)

select * from final
