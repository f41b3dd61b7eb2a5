-- Distinct normalised title tokens of every catalog product and offer, with the token's
-- document frequency among catalog products and its IDF weight (ln((n + 1) / (df + 1)) + 1):
-- the vocabulary blocking and the title TF-IDF feature share.
with

listings as (
    select
        side,
        listing_id,
        side || ':' || listing_id as listing_key,
        title_normalized
    from {{ ref('int_catalog_listings') }}
),

{{ listing_tokens('title_normalized') }},

document_frequency as (
    select
        token,
        count(*) as product_frequency
    from tokens
    where side = 'product'
    group by token
),

catalog_size as (
    select count(*) as product_count from listings
    where side = 'product'
),

final as (
    select
        tokens.side,
        tokens.listing_id,
        tokens.token,
        coalesce(document_frequency.product_frequency, 0) as product_frequency,
        {{ catalog_idf('coalesce(document_frequency.product_frequency, 0)', 'catalog_size.product_count') }} as idf
    from tokens
    cross join catalog_size
    left join document_frequency on tokens.token = document_frequency.token
)

select * from final
