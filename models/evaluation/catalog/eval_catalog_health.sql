-- Catalog health in one row. automated_match_rate, override_rate and tail_selection_coverage
-- are the semantic layer's metrics (models/marts/analytics/_semantic_layer.yml), computed here
-- from the same measures over the same marts (macro semantic_metric_value):
--   review_backlog           offers waiting in review, and the median and oldest wait in days
--   category_fill_rate, brand_fill_rate  products with a value (any source) in dim_products
with

decisions as (
    select * from {{ ref('int_catalog_decisions') }}
),

offer_matches as (
    select * from {{ ref('fct_offer_matches') }}
),

products as (
    select * from {{ ref('dim_products') }}
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
        {{ semantic_metric_value('automated_match_rate') }} as automated_match_rate,
        {{ semantic_metric_value('override_rate') }} as override_rate
    from offer_matches
),

tail as (
    select {{ semantic_metric_value('tail_selection_coverage') }} as tail_selection_coverage
    from products
),

fill as (
    select
        avg(case when category is not null then 1.0 else 0.0 end) as category_fill_rate,
        avg(case when brand is not null then 1.0 else 0.0 end) as brand_fill_rate
    from products
),

final as (
    select
        rates.offers,
        rates.automated_match_rate,
        rates.override_rate,
        review.review_backlog,
        review.review_median_age_days,
        review.review_max_age_days,
        tail.tail_selection_coverage,
        fill.category_fill_rate,
        fill.brand_fill_rate
    from rates
    cross join review
    cross join tail
    cross join fill
)

select * from final
