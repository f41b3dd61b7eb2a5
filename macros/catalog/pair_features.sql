{#-
    Building blocks of the catalog's listing terms and pair features. shared_terms,
    join_listing_sides and join_pair expect (in int_catalog_pair_features) a CTE `pairs`
    (offer_id, product_id); term and per-listing relations have columns side ('offer' or
    'product') and listing_id, term relations also the term (a token, trigram or code),
    optionally a weight (IDF).
-#}

{#- Per pair: rows shared by the two listings' sets in `relation` (side, listing_id, `term`,
    optional weight column), with the count and summed squared weight of shared terms. #}
{% macro shared_terms(relation, term, weight=none) -%}
    select
        pairs.offer_id,
        pairs.product_id,
        count(*) as shared_count
        {%- if weight %},
            {{ deterministic_sum('product_terms.' ~ weight ~ ' * product_terms.' ~ weight) }} as shared_weight_squared
        {%- endif %}
    from pairs
    inner join {{ relation }} as offer_terms
        on offer_terms.side = 'offer' and pairs.offer_id = offer_terms.listing_id
    inner join {{ relation }} as product_terms
        on
            product_terms.side = 'product'
            and pairs.product_id = product_terms.listing_id
            and offer_terms.{{ term }} = product_terms.{{ term }}
    group by pairs.offer_id, pairs.product_id
{%- endmacro %}

{#- Per listing: number of terms in `relation` and the norm of their weights. #}
{% macro term_norms(relation, weight=none) -%}
    select
        side,
        listing_id,
        count(*) as term_count
        {%- if weight %},
            sqrt({{ deterministic_sum(weight ~ ' * ' ~ weight) }}) as weight_norm
        {%- endif %}
    from {{ relation }}
    group by side, listing_id
{%- endmacro %}

{#- Both listings of each pair in the CTE `pairs`, joined from per-listing rows of `relation`
    (side, listing_id): the offer's as offer_<alias>, the product's as product_<alias>. #}
{% macro join_listing_sides(relation, alias, join_type='left') -%}
    {%- for side in ['offer', 'product'] %}
    {{ join_type }} join {{ relation }} as {{ side }}_{{ alias }}
        on {{ side }}_{{ alias }}.side = '{{ side }}' and pairs.{{ side }}_id = {{ side }}_{{ alias }}.listing_id
    {%- endfor %}
{%- endmacro %}

{#- Each pair in the CTE `pairs` with its row of the per-pair `relation` (offer_id, product_id). #}
{% macro join_pair(relation) -%}
    left join {{ relation }}
        on pairs.offer_id = {{ relation }}.offer_id and pairs.product_id = {{ relation }}.product_id
{%- endmacro %}

{#- Share of shared terms: shared / (a + b - shared), null when both are empty. #}
{% macro jaccard(shared, left_count, right_count) -%}
    coalesce({{ shared }}, 0) * 1.0
    / nullif({{ left_count }} + {{ right_count }} - coalesce({{ shared }}, 0), 0)
{%- endmacro %}

{#- 1.0 / 0.0 for a condition, null unless `known`. #}
{% macro known_flag(known, condition) -%}
    case when {{ known }} then cast({{ condition }} as {{ dbt.type_float() }}) end
{%- endmacro %}


{#-
    Distinct tokens (two characters or more) of `text_column` per listing, as the CTEs
    `split_tokens` and `tokens` (side, listing_id, token), from the CTE `listings` (side,
    listing_id, listing_key, `text_column`).
-#}
{% macro listing_tokens(text_column) -%}
split_tokens as (
    {{ split_to_rows('listings', 'listing_key', text_column) }}
),

tokens as (
    select distinct
        listings.side,
        listings.listing_id,
        split_tokens.token
    from split_tokens
    inner join listings on split_tokens.listing_key = listings.listing_key
    where length(split_tokens.token) >= 2
)
{%- endmacro %}


{#- Smoothed IDF of a term in `document_frequency` of `document_count` documents:
    ln((n + 1) / (df + 1)) + 1 (as scikit-learn's smooth_idf), rounded (deterministic_round)
    so sums and orderings over it are the same on every rebuild. -#}
{% macro catalog_idf(document_frequency, document_count) -%}
    {{ deterministic_round('ln((' ~ document_count ~ ' + 1.0) / (' ~ document_frequency ~ ' + 1.0)) + 1.0') }}
{%- endmacro %}
