-- The public match decision of every kept offer (int_catalog_decisions has the rules), with
-- the flags the catalog metrics count (models/marts/analytics/_semantic_layer.yml defines
-- them) and the offer's ingestion date, the time the catalog metrics are charted by.
with

decisions as (
    select * from {{ ref('int_catalog_decisions') }}
),

final as (
    select
        offer_id,
        merchant_id,
        product_id,
        match_score,
        decision,
        decision_source,
        model_version,
        decided_at,
        ingested_at,
        cast(coalesce(ingested_at, decided_at) as date) as ingested_date,
        case when decision = 'matched' and decision_source in ('gtin', 'model') then 1 else 0 end
            as is_automated_match,
        case when model_decision is not null then 1 else 0 end as is_model_decision,
        case
            when
                is_overridden and model_decision is not null
                and (
                    (decision = 'matched') != (model_decision = 'matched')
                    or coalesce(product_id, '') != coalesce(model_product_id, '')
                )
                then 1
            else 0
        end as is_model_decision_reversed
    from decisions
)

select * from final
