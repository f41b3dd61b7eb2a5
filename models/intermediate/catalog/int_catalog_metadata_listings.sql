-- Every catalog product and offer as metadata inference reads it (macro ml_models: its
-- scoring rows): the title its classifiers read, the known category and brand, and numeric
-- summaries of the title the monitors compare. A text input has no numeric value of its own,
-- so its monitors watch summaries named <feature>__<summary> (macro is_feature_column):
-- title__characters (length of the title) and title__words (words of the normalised title).
with

products as (
    select
        'product' as listing_type,
        product_id as listing_id,
        title,
        title_normalized,
        category,
        brand
    from {{ ref('stg_products') }}
),

offers as (
    select
        'offer' as listing_type,
        offer_id as listing_id,
        title,
        title_normalized,
        category,
        brand
    from {{ ref('stg_offers') }}
),

listings as (
    select * from products
    union all
    select * from offers
),

final as (
    select
        listing_type,
        listing_id,
        title,
        category,
        brand,
        length(coalesce(title, '')) as title__characters,
        case
            when coalesce(title_normalized, '') = '' then 0
            else length(title_normalized) - length(replace(title_normalized, ' ', '')) + 1
        end as title__words
    from listings
)

select * from final
