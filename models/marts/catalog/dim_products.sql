-- The catalog as BI should see it: every kept product with its category and brand and
-- where each came from. Authority: the catalog itself, else the value most of its matched
-- offers give (a full catalog category path or a catalog brand), else the metadata model;
-- the last two only at var metadata_confidence_bar or above. What stays empty needs review.
{% set bar = number_var('metadata_confidence_bar') %}

with

products as (
    select * from {{ ref('stg_products') }}
),

matched_offers as (
    select
        decisions.product_id,
        offers.category,
        offers.brand
    from {{ ref('int_catalog_decisions') }} as decisions
    inner join {{ ref('stg_offers') }} as offers on decisions.offer_id = offers.offer_id
    where decisions.decision = 'matched'
),

catalog_values as (
    select distinct
        'category' as attribute_name,
        category as attribute_value
    from products
    where category is not null
    union all
    select distinct
        'brand' as attribute_name,
        brand as attribute_value
    from products
    where brand is not null
),

offer_votes as (
    select
        product_id,
        'category' as attribute_name,
        category as attribute_value
    from matched_offers
    union all
    select
        product_id,
        'brand' as attribute_name,
        brand as attribute_value
    from matched_offers
),

offer_values as (
    select
        offer_votes.product_id,
        offer_votes.attribute_name,
        offer_votes.attribute_value,
        count(*) * 1.0 / sum(count(*)) over (partition by offer_votes.product_id, offer_votes.attribute_name)
            as vote_share
    from offer_votes
    inner join catalog_values
        on
            offer_votes.attribute_name = catalog_values.attribute_name
            and offer_votes.attribute_value = catalog_values.attribute_value
    group by offer_votes.product_id, offer_votes.attribute_name, offer_votes.attribute_value
    qualify row_number() over (
        partition by offer_votes.product_id, offer_votes.attribute_name
        order by count(*) desc, offer_votes.attribute_value
    ) = 1
),

inferred as (
    select
        listing_id as product_id,
        attribute,
        predicted_value,
        confidence
    from {{ ref('ml_metadata_predictions') }}
    where listing_type = 'product' and actual_value is null
),

impressions as (
    select
        products.product_id,
        count(events.event_id) as impression_count
    from products
    left join {{ ref('stg_events') }} as events
        on products.product_id = events.product_id and events.event_type = 'impression'
    group by products.product_id
),

-- Long tail: outside the top 20% of products by impressions (tail_selection_coverage).
long_tail as (
    select product_id
    from impressions
    qualify percent_rank() over (order by impression_count desc) >= 0.2
),

offer_counts as (
    select
        product_id,
        count(*) as matched_offer_count
    from matched_offers
    group by product_id
),

final as (
    select
        products.product_id,
        products.title,
        {%- for attribute in ['category', 'brand'] %}
            case
                when products.{{ attribute }} is not null then products.{{ attribute }}
                when offer_{{ attribute }}.vote_share >= {{ bar }} then offer_{{ attribute }}.attribute_value
                when inferred_{{ attribute }}.confidence >= {{ bar }} then inferred_{{ attribute }}.predicted_value
            end as {{ attribute }},
            case
                when products.{{ attribute }} is not null then 'catalog'
                when offer_{{ attribute }}.vote_share >= {{ bar }} then 'matched_offer'
                when inferred_{{ attribute }}.confidence >= {{ bar }} then 'inferred'
            end as {{ attribute }}_source,
            case
                when products.{{ attribute }} is not null then 1.0
                when offer_{{ attribute }}.vote_share >= {{ bar }} then offer_{{ attribute }}.vote_share
                when inferred_{{ attribute }}.confidence >= {{ bar }} then inferred_{{ attribute }}.confidence
            end as {{ attribute }}_confidence,
        {%- endfor %}
        products.price,
        products.currency,
        products.gtin,
        products.model_number,
        products.updated_at,
        coalesce(offer_counts.matched_offer_count, 0) as matched_offer_count,
        case when long_tail.product_id is not null then 1 else 0 end as is_long_tail,
        case when long_tail.product_id is not null and offer_counts.product_id is not null then 1 else 0 end
            as is_long_tail_matched
    from
        products
    {%- for attribute in ['category', 'brand'] %}
    left join offer_values as offer_{{ attribute }}
        on
            products.product_id = offer_{{ attribute }}.product_id
            and offer_{{ attribute }}.attribute_name = '{{ attribute }}'
    left join inferred as inferred_{{ attribute }}
        on
            products.product_id = inferred_{{ attribute }}.product_id
            and inferred_{{ attribute }}.attribute = '{{ attribute }}'
    {%- endfor %}
    left join offer_counts on products.product_id = offer_counts.product_id
    left join long_tail on products.product_id = long_tail.product_id
)

select
    *,
    category is null or brand is null as needs_metadata_review
from final
