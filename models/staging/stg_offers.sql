with

checked as (
    select * from {{ ref('stg_offers_checked') }}
    where reject_reason is null
),

final as (
    select
        {{ clean_text('checked.offer_id') }} as offer_id,
        {{ clean_text('checked.merchant_id') }} as merchant_id,
        {{ listing_columns('checked') }},
        checked.ingested_at_typed as ingested_at
    from checked
    {{ join_brand_aliases('checked') }}
)

select * from final
