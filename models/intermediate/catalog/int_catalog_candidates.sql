-- Blocking: candidate (offer, product) pairs from cheap keys, never offers x products.
-- Keys: equal valid GTIN, equal model number, and shared rare title tokens (in at most
-- var catalog_block_max_df products, so each offer token reaches a bounded number of
-- products). Each offer keeps its best var catalog_candidates_per_offer pairs by blocking
-- score (GTIN, then model number, then summed IDF of shared rare tokens).
with

offers as (
    select * from {{ ref('stg_offers') }}
),

products as (
    select * from {{ ref('stg_products') }}
),

tokens as (
    select * from {{ ref('int_catalog_title_tokens') }}
),

gtin_pairs as (
    select
        offers.offer_id,
        products.product_id,
        1 as gtin_key,
        0 as model_number_key,
        0.0 as rare_token_idf
    from offers
    inner join products on offers.gtin = products.gtin
),

model_number_pairs as (
    select
        offers.offer_id,
        products.product_id,
        0 as gtin_key,
        1 as model_number_key,
        0.0 as rare_token_idf
    from offers
    inner join products on offers.model_number = products.model_number
    where length(offers.model_number) >= 4
),

rare_token_pairs as (
    select
        offer_tokens.listing_id as offer_id,
        product_tokens.listing_id as product_id,
        0 as gtin_key,
        0 as model_number_key,
        sum(product_tokens.idf) as rare_token_idf
    from tokens as offer_tokens
    inner join tokens as product_tokens
        on
            offer_tokens.token = product_tokens.token
            and product_tokens.side = 'product'
    where
        offer_tokens.side = 'offer'
        and offer_tokens.product_frequency between 1 and {{ var('catalog_block_max_df') }}
    group by offer_tokens.listing_id, product_tokens.listing_id
),

keyed as (
    select
        offer_id,
        product_id,
        max(gtin_key) as has_gtin_key,
        max(model_number_key) as has_model_number_key,
        max(rare_token_idf) as rare_token_idf
    from (
        select * from gtin_pairs
        union all
        select * from model_number_pairs
        union all
        select * from rare_token_pairs
    ) as all_keys
    group by offer_id, product_id
),

final as (
    select
        offer_id,
        product_id,
        has_gtin_key,
        has_model_number_key,
        rare_token_idf,
        row_number() over (
            partition by offer_id
            order by has_gtin_key desc, has_model_number_key desc, rare_token_idf desc, product_id asc
        ) as blocking_rank
    from keyed
    qualify blocking_rank <= {{ var('catalog_candidates_per_offer') }}
)

select * from final
