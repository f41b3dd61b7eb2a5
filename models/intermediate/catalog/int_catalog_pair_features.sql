-- Pair features for every blocking candidate and every labelled pair (labelled pairs get
-- the same features even when blocking did not propose them). Agreement features are null
-- when either side lacks the value, so "unknown" never reads as "different"; a listing
-- without a brand column gets the brand its title opens with (int_catalog_listings).
--   title:   Jaro-Winkler, edit similarity, token Jaccard, title TF-IDF cosine, character
--            trigram Jaccard, first-token agreement
--   text:    TF-IDF cosine of title + description (int_catalog_text_tokens)
--   codes:   a shared code (title or model number only; any field), a code of one listing
--            contained in the other's compact text, best edit similarity of title codes
--   numbers: Jaccard of title numbers, a unit both use with no value in common (250gb vs
--            500gb, version 5 vs 6)
--   other:   model number, brand, price, currency, category and GTIN agreement, blocking keys
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
        coalesce(candidates.has_code_key, 0) as has_code_key,
        coalesce(candidates.code_idf, 0) as code_idf,
        coalesce(candidates.rare_token_idf, 0) as rare_token_idf,
        candidates.blocking_rank
    from candidates
    full outer join labels
        on candidates.offer_id = labels.offer_id and candidates.product_id = labels.product_id
),

title_tokens as (
    select * from {{ ref('int_catalog_title_tokens') }}
),

text_tokens as (
    select * from {{ ref('int_catalog_text_tokens') }}
),

trigrams as (
    select * from {{ ref('int_catalog_title_ngrams') }}
),

codes as (
    select * from {{ ref('int_catalog_listing_codes') }}
),

title_codes as (
    select * from codes
    where is_title_code
),

numbers as (
    select * from {{ ref('int_catalog_listing_numbers') }}
),

listings as (
    select * from {{ ref('int_catalog_listings') }}
),

shared_title_tokens as (
    {{ shared_terms('title_tokens', 'token', 'idf') }}
),

title_token_norms as (
    {{ term_norms('title_tokens', 'idf') }}
),

shared_text_tokens as (
    {{ shared_terms('text_tokens', 'token', 'idf') }}
),

text_token_norms as (
    {{ term_norms('text_tokens', 'idf') }}
),

shared_trigrams as (
    {{ shared_terms('trigrams', 'trigram') }}
),

trigram_counts as (
    {{ term_norms('trigrams') }}
),

-- Shared codes of every field, and of the titles (with model numbers) alone, in one pass.
shared_codes as (
    select
        pairs.offer_id,
        pairs.product_id,
        count(*) as shared_count,
        sum(case when offer_codes.is_title_code and product_codes.is_title_code then 1 else 0 end)
            as shared_title_count
    from pairs
    inner join codes as offer_codes
        on offer_codes.side = 'offer' and pairs.offer_id = offer_codes.listing_id
    inner join codes as product_codes
        on
            product_codes.side = 'product'
            and pairs.product_id = product_codes.listing_id
            and offer_codes.code = product_codes.code
    group by pairs.offer_id, pairs.product_id
),

code_counts as (
    select
        side,
        listing_id,
        count(*) as code_count,
        sum(case when is_title_code then 1 else 0 end) as title_code_count
    from codes
    group by side, listing_id
),

-- A title code (5 characters or more) of one listing inside the other's compact text: the
-- offer's codes in the product's text, then the product's in the offer's.
contained_codes as (
    {%- for code_side, text_side in [('offer', 'product'), ('product', 'offer')] %}
        select
            pairs.offer_id,
            pairs.product_id,
            max({{ dbt.position('title_codes.code', 'texts.compact_text') }}) > 0 as is_contained
        from pairs
        inner join title_codes
            on title_codes.side = '{{ code_side }}' and pairs.{{ code_side }}_id = title_codes.listing_id
        inner join listings as texts
            on texts.side = '{{ text_side }}' and pairs.{{ text_side }}_id = texts.listing_id
        where length(title_codes.code) >= 5
        group by pairs.offer_id, pairs.product_id
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

code_containment as (
    select
        offer_id,
        product_id,
        max(case when is_contained then 1 else 0 end) = 1 as is_contained
    from contained_codes
    group by offer_id, product_id
),

code_similarity as (
    select
        pairs.offer_id,
        pairs.product_id,
        max({{ edit_similarity('offer_codes.code', 'product_codes.code') }}) as best_code_similarity
    from pairs
    {{ join_listing_sides('title_codes', 'codes', 'inner') }}
    group by pairs.offer_id, pairs.product_id
),

-- The numbers of each side of a pair: the CTEs offer_numbers and product_numbers.
{%- for side in ['offer', 'product'] %}

    {{ side }}_numbers as (
        select
            pairs.offer_id,
            pairs.product_id,
            numbers.unit,
            numbers.number_value
        from pairs
        inner join numbers on numbers.side = '{{ side }}' and pairs.{{ side }}_id = numbers.listing_id
    ),
{%- endfor %}

pair_numbers as (
    select
        coalesce(offer_numbers.offer_id, product_numbers.offer_id) as offer_id,
        coalesce(offer_numbers.product_id, product_numbers.product_id) as product_id,
        coalesce(offer_numbers.unit, product_numbers.unit) as unit,
        offer_numbers.number_value is not null as in_offer,
        product_numbers.number_value is not null as in_product
    from offer_numbers
    full outer join product_numbers
        on
            offer_numbers.offer_id = product_numbers.offer_id
            and offer_numbers.product_id = product_numbers.product_id
            and offer_numbers.unit = product_numbers.unit
            and offer_numbers.number_value = product_numbers.number_value
),

number_units as (
    select
        offer_id,
        product_id,
        unit,
        count(*) as values_in_either,
        sum(case when in_offer and in_product then 1 else 0 end) as values_in_both,
        max(case when in_offer then 1 else 0 end) as in_offer,
        max(case when in_product then 1 else 0 end) as in_product
    from pair_numbers
    group by offer_id, product_id, unit
),

number_agreement as (
    select
        offer_id,
        product_id,
        case
            when max(in_offer) = 1 and max(in_product) = 1
                then sum(values_in_both) * 1.0 / sum(values_in_either)
        end as number_jaccard,
        max(case when in_offer = 1 and in_product = 1 then 1 else 0 end) as has_shared_unit,
        max(case when in_offer = 1 and in_product = 1 and values_in_both = 0 then 1 else 0 end) as has_unit_conflict
    from number_units
    group by offer_id, product_id
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
        cast(pairs.has_code_key as {{ dbt.type_float() }}) as has_code_key,
        pairs.code_idf,
        pairs.rare_token_idf,
        {{ jaro_winkler('offers.title_normalized', 'products.title_normalized') }} as title_jaro_winkler,
        {{ edit_similarity('offers.title_normalized', 'products.title_normalized') }} as title_edit_similarity,
        {{ jaccard(
            'shared_title_tokens.shared_count', 'offer_title_norms.term_count', 'product_title_norms.term_count'
        ) }} as title_token_jaccard,
        {{ deterministic_round(
            'coalesce(shared_title_tokens.shared_weight_squared, 0)'
            ~ ' / nullif(offer_title_norms.weight_norm * product_title_norms.weight_norm, 0)'
        ) }} as title_tfidf_cosine,
        {{ jaccard(
            'shared_trigrams.shared_count', 'offer_trigrams.term_count', 'product_trigrams.term_count'
        ) }} as title_trigram_jaccard,
        {{ known_flag(
            'offer_listings.title_first_token is not null and product_listings.title_first_token is not null',
            'offer_listings.title_first_token = product_listings.title_first_token'
        ) }} as title_first_token_match,
        {{ deterministic_round(
            'coalesce(shared_text_tokens.shared_weight_squared, 0)'
            ~ ' / nullif(offer_text_norms.weight_norm * product_text_norms.weight_norm, 0)'
        ) }} as text_tfidf_cosine,
        {{ known_flag(
            'offer_codes.title_code_count > 0 and product_codes.title_code_count > 0',
            'coalesce(shared_codes.shared_title_count, 0) > 0'
        ) }} as title_code_match,
        {{ known_flag(
            'offer_codes.code_count > 0 and product_codes.code_count > 0',
            'coalesce(shared_codes.shared_count, 0) > 0'
        ) }} as any_code_match,
        {{ known_flag('code_containment.is_contained is not null', 'code_containment.is_contained') }}
            as code_contained,
        code_similarity.best_code_similarity as code_similarity,
        number_agreement.number_jaccard,
        {{ known_flag('number_agreement.has_shared_unit = 1', 'number_agreement.has_unit_conflict = 1') }}
            as number_conflict,
        {{ known_flag(
            'offers.model_number is not null and products.model_number is not null',
            'offers.model_number = products.model_number'
        ) }} as model_number_match,
        {{ jaro_winkler('offers.model_number', 'products.model_number') }} as model_number_similarity,
        {{ known_flag(
            'offer_listings.brand_normalized is not null and product_listings.brand_normalized is not null',
            'offer_listings.brand_normalized = product_listings.brand_normalized'
        ) }} as brand_match,
        {{ known_flag(
            'product_listings.brand_normalized is not null',
            dbt.position(
                "' ' || product_listings.brand_normalized || ' '", "' ' || offers.title_normalized || ' '"
            ) ~ ' > 0'
        ) }} as brand_in_offer_title,
        least(offers.price, products.price) / nullif(greatest(offers.price, products.price), 0) as price_ratio,
        {{ known_flag(
            'offers.currency is not null and products.currency is not null',
            'offers.currency = products.currency'
        ) }} as currency_match,
        {{ known_flag(
            'offers.category is not null and products.category is not null',
            dbt.position(normalize_text('offers.category'), normalize_text('products.category')) ~ ' > 0'
        ) }} as category_match,
        {{ known_flag('offers.gtin is not null and products.gtin is not null', 'offers.gtin = products.gtin') }}
            as gtin_match,
        cast(offers.gtin is not null as {{ dbt.type_float() }}) as offer_has_gtin
    from pairs
    inner join offers on pairs.offer_id = offers.offer_id
    inner join products on pairs.product_id = products.product_id
    {{ join_listing_sides('listings', 'listings', 'inner') }}
    {{ join_pair('shared_title_tokens') }}
    {{ join_listing_sides('title_token_norms', 'title_norms') }}
    {{ join_pair('shared_text_tokens') }}
    {{ join_listing_sides('text_token_norms', 'text_norms') }}
    {{ join_pair('shared_trigrams') }}
    {{ join_listing_sides('trigram_counts', 'trigrams') }}
    {{ join_pair('shared_codes') }}
    {{ join_listing_sides('code_counts', 'codes') }}
    {{ join_pair('code_containment') }}
    {{ join_pair('code_similarity') }}
    {{ join_pair('number_agreement') }}
)

select * from final
