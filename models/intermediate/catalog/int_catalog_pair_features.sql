-- Pair features for every blocking candidate and every labelled pair (labelled pairs get
-- the same features even when blocking did not propose them): title similarities
-- (Jaro-Winkler, edit, token Jaccard, TF-IDF cosine), model number, brand, price,
-- category and GTIN agreement, and the blocking keys. Agreement features are null when
-- either side lacks the value, so "unknown" never reads as "different".
with

candidates as (
    select * from {{ ref('int_catalog_candidates') }}
),

labels as (
    select distinct
        offer_id,
        product_id
    from {{ ref('stg_match_labels') }}
),

pairs as (
    select
        coalesce(candidates.offer_id, labels.offer_id) as offer_id,
        coalesce(candidates.product_id, labels.product_id) as product_id,
        candidates.offer_id is not null as is_candidate,
        coalesce(candidates.has_gtin_key, 0) as has_gtin_key,
        coalesce(candidates.has_model_number_key, 0) as has_model_number_key,
        coalesce(candidates.rare_token_idf, 0) as rare_token_idf,
        candidates.blocking_rank
    from candidates
    full outer join labels
        on candidates.offer_id = labels.offer_id and candidates.product_id = labels.product_id
),

tokens as (
    select * from {{ ref('int_catalog_title_tokens') }}
),

token_norms as (
    select
        side,
        listing_id,
        count(*) as token_count,
        sqrt(sum(idf * idf)) as idf_norm
    from tokens
    group by side, listing_id
),

shared_tokens as (
    select
        pairs.offer_id,
        pairs.product_id,
        count(*) as shared_token_count,
        sum(product_tokens.idf * product_tokens.idf) as shared_idf_squared
    from pairs
    inner join tokens as offer_tokens
        on offer_tokens.side = 'offer' and pairs.offer_id = offer_tokens.listing_id
    inner join tokens as product_tokens
        on
            product_tokens.side = 'product'
            and pairs.product_id = product_tokens.listing_id
            and offer_tokens.token = product_tokens.token
    group by pairs.offer_id, pairs.product_id
),

offers as (
    select * from {{ ref('stg_offers') }}
),

products as (
    select * from {{ ref('stg_products') }}
),

final as (
    select
        pairs.offer_id,
        pairs.product_id,
        pairs.is_candidate,
        pairs.blocking_rank,
        cast(pairs.has_gtin_key as {{ dbt.type_float() }}) as has_gtin_key,
        cast(pairs.has_model_number_key as {{ dbt.type_float() }}) as has_model_number_key,
        pairs.rare_token_idf,
        {{ jaro_winkler('offers.title_normalized', 'products.title_normalized') }} as title_jaro_winkler,
        {{ edit_similarity('offers.title_normalized', 'products.title_normalized') }} as title_edit_similarity,
        coalesce(shared_tokens.shared_token_count, 0)
        / nullif(
            offer_norms.token_count + product_norms.token_count
            - coalesce(shared_tokens.shared_token_count, 0), 0
        ) as title_token_jaccard,
        coalesce(shared_tokens.shared_idf_squared, 0)
        / nullif(offer_norms.idf_norm * product_norms.idf_norm, 0) as title_tfidf_cosine,
        case
            when offers.model_number is not null and products.model_number is not null
                then cast(offers.model_number = products.model_number as {{ dbt.type_float() }})
        end as model_number_match,
        {{ jaro_winkler('offers.model_number', 'products.model_number') }} as model_number_similarity,
        case
            when offers.brand_normalized is not null and products.brand_normalized is not null
                then cast(offers.brand_normalized = products.brand_normalized as {{ dbt.type_float() }})
        end as brand_match,
        case
            when products.brand_normalized is not null
                then cast(
                    {{ dbt.position(
                        "' ' || products.brand_normalized || ' '", "' ' || offers.title_normalized || ' '"
                    ) }} > 0
                    as {{ dbt.type_float() }}
                )
        end as brand_in_offer_title,
        least(offers.price, products.price) / nullif(greatest(offers.price, products.price), 0) as price_ratio,
        case
            when offers.currency is not null and products.currency is not null
                then cast(offers.currency = products.currency as {{ dbt.type_float() }})
        end as currency_match,
        case
            when offers.category is not null and products.category is not null
                then cast(
                    {{ dbt.position(normalize_text('offers.category'), normalize_text('products.category')) }} > 0
                    as {{ dbt.type_float() }}
                )
        end as category_match,
        case
            when offers.gtin is not null and products.gtin is not null
                then cast(offers.gtin = products.gtin as {{ dbt.type_float() }})
        end as gtin_match,
        cast(offers.gtin is not null as {{ dbt.type_float() }}) as offer_has_gtin
    from pairs
    inner join offers on pairs.offer_id = offers.offer_id
    inner join products on pairs.product_id = products.product_id
    left join shared_tokens
        on pairs.offer_id = shared_tokens.offer_id and pairs.product_id = shared_tokens.product_id
    left join token_norms as offer_norms
        on offer_norms.side = 'offer' and pairs.offer_id = offer_norms.listing_id
    left join token_norms as product_norms
        on product_norms.side = 'product' and pairs.product_id = product_norms.listing_id
)

select * from final
