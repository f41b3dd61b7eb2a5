with

checked as (
    select * from {{ ref('stg_products_checked') }}
    where reject_reason is null
),

final as (
    select
        {{ clean_text('checked.product_id') }} as product_id,
        {{ listing_columns('checked') }},
        checked.updated_at_typed as updated_at
    from checked
    {{ join_brand_aliases('checked') }}
)

select * from final
