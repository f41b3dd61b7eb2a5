-- Blocking: candidate (offer, product) pairs from cheap keys, never offers x products.
-- Keys: equal valid GTIN; a shared code (int_catalog_listing_codes: every code of the
-- title, model number and description, however it is written) or code prefix; shared rare
-- title tokens.
-- A code or token is a key when at most max_df catalog products carry it, max_df =
-- greatest(var catalog_block_max_df, var catalog_block_max_df_share x products), so the
-- limit grows with the catalog. An offer no key reaches gets fallback pairs from title
-- tokens in up to var catalog_block_fallback_df_share of the catalog, so no offer is left
-- without candidates when a product shares a word with it. Each offer keeps its best var
-- catalog_candidates_per_offer pairs: GTIN first, then by the summed IDF of shared codes
-- (IDF among catalog products, so a brand-like code many products carry weighs little) and
-- shared rare title tokens.
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

codes as (
    select * from {{ ref('int_catalog_listing_codes') }}
),

catalog_size as (
    select count(*) as product_count from products
),

limits as (
    select
        greatest(
            {{ number_var('catalog_block_max_df') }},
            ceil({{ number_var('catalog_block_max_df_share') }} * product_count)
        ) as max_df,
        greatest(
            {{ number_var('catalog_block_max_df') }},
            ceil({{ number_var('catalog_block_fallback_df_share') }} * product_count)
        ) as fallback_max_df
    from catalog_size
),

gtin_pairs as (
    select
        offers.offer_id,
        products.product_id,
        1 as gtin_key,
        0.0 as code_idf,
        0.0 as rare_token_idf
    from offers
    inner join products on offers.gtin = products.gtin
),

-- Code keys: every code of a listing, and (at half weight) its first var
-- catalog_block_code_prefix characters, so KT8044 meets KT8044LTE and WH1000XM4 meets
-- WH1000XM4B; a key's weight is its IDF among catalog products, so a brand-like code many
-- products carry weighs little.
code_keys as (
    select
        side,
        listing_id,
        code as code_key,
        1.0 as key_weight
    from codes
    union all
    select distinct
        side,
        listing_id,
        'prefix:' || left(code, {{ number_var('catalog_block_code_prefix') }}) as code_key,
        0.5 as key_weight
    from codes
    where length(code) >= {{ number_var('catalog_block_code_prefix') }}
),

code_key_frequency as (
    select
        code_key,
        count(*) as product_frequency
    from code_keys
    where side = 'product'
    group by code_key
),

code_pairs as (
    select
        offer_keys.listing_id as offer_id,
        product_keys.listing_id as product_id,
        0 as gtin_key,
        {{ deterministic_sum('product_keys.key_weight * ' ~ catalog_idf(
            'code_key_frequency.product_frequency', 'catalog_size.product_count'
        )) }} as code_idf,
        0.0 as rare_token_idf
    from code_keys as offer_keys
    inner join code_keys as product_keys
        on
            offer_keys.code_key = product_keys.code_key
            and product_keys.side = 'product'
    inner join code_key_frequency on product_keys.code_key = code_key_frequency.code_key
    cross join limits
    cross join catalog_size
    where
        offer_keys.side = 'offer'
        and code_key_frequency.product_frequency <= limits.max_df
    group by offer_keys.listing_id, product_keys.listing_id
),

{% set shared_token_pairs %}
    select
        offer_tokens.listing_id as offer_id,
        product_tokens.listing_id as product_id,
        0 as gtin_key,
        0.0 as code_idf,
        {{ deterministic_sum('product_tokens.idf') }} as rare_token_idf
    from tokens as offer_tokens
    inner join tokens as product_tokens
        on
            offer_tokens.token = product_tokens.token
            and product_tokens.side = 'product'
    cross join limits
{% endset %}

rare_token_pairs as (
    {{ shared_token_pairs }}
    where
        offer_tokens.side = 'offer'
        and offer_tokens.product_frequency between 1 and limits.max_df
    group by offer_tokens.listing_id, product_tokens.listing_id
),

keyed_pairs as (
    select * from gtin_pairs
    union all
    select * from code_pairs
    union all
    select * from rare_token_pairs
),

fallback_pairs as (
    {{ shared_token_pairs }}
    where
        offer_tokens.side = 'offer'
        and offer_tokens.product_frequency between 1 and limits.fallback_max_df
        and offer_tokens.listing_id not in (select keyed_pairs.offer_id from keyed_pairs)
    group by offer_tokens.listing_id, product_tokens.listing_id
),

keyed as (
    select
        offer_id,
        product_id,
        max(gtin_key) as has_gtin_key,
        max(code_idf) as code_idf,
        max(rare_token_idf) as rare_token_idf
    from (
        select * from keyed_pairs
        union all
        select * from fallback_pairs
    ) as all_keys
    group by offer_id, product_id
),

final as (
    select
        offer_id,
        product_id,
        has_gtin_key,
        case when code_idf > 0 then 1 else 0 end as has_code_key,
        code_idf,
        rare_token_idf,
        row_number() over (
            partition by offer_id
            order by has_gtin_key desc, code_idf + rare_token_idf desc, product_id asc
        ) as blocking_rank
    from keyed
    qualify blocking_rank <= {{ number_var('catalog_candidates_per_offer') }}
)

select * from final
