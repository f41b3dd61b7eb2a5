-- source and rank are the public contract's column names, although keywords.
-- Related products per product ("customers also viewed" and "similar items"): co-visitation
-- from all clean events, relative to the product's best neighbour, and content similarity
-- (a product nobody interacted with still gets similar items). A pair found by both keeps the
-- higher score; the top var recs_related_items per product.
with

covisitation as (
    select
        product_id,
        related_product_id,
        covisitation_score / max(covisitation_score) over (partition by product_id) as score,
        'covisitation' as source  -- noqa: RF04
    from {{ ref('int_recs_covisitation') }}
    where cutoff_name = 'serve'
),

content as (
    select
        product_id,
        related_product_id,
        content_score as score,
        'content' as source  -- noqa: RF04
    from {{ ref('int_recs_content_similarity') }}
),

combined as (
    select
        *,
        row_number() over (
            partition by product_id, related_product_id order by score desc, source desc
        ) as pair_choice
    from (
        select * from covisitation
        union all
        select * from content
    ) as both_sources
),

final as (
    select
        cast(product_id as varchar) as product_id,
        cast(row_number() over (partition by product_id order by score desc, related_product_id asc) as integer)
            as rank,
        cast(related_product_id as varchar) as related_product_id,
        cast(score as double) as score,
        cast(source as varchar) as source  -- noqa: RF04
    from combined
    where pair_choice = 1
    qualify rank <= {{ number_var('recs_related_items') }}
)

select * from final
