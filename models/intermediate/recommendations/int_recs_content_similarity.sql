-- Item-to-item content similarity: cosine of TF-IDF weighted tokens of the normalised title
-- plus the words of the category path. Tokens in more than 500 products are
-- dropped (they say nothing and make the self-join quadratic); the var
-- recs_candidates_per_source most similar products per product are kept.
with

products as (
    select * from {{ ref('stg_products') }}
),

texts as (
    -- title words and category words (every level of the path) as one text
    select
        product_id,
        trim(coalesce(title_normalized, '') || ' ' || coalesce({{ normalize_text('category') }}, '')) as token_text
    from products
),

tokens as (
    select distinct
        product_id,
        token
    from ({{ split_to_rows('texts', 'product_id', 'token_text') }}) as split_rows
    where length(token) >= 2
),

document_frequency as (
    select
        token,
        count(*) as product_count
    from tokens
    group by token
    having count(*) <= 500
),

catalog_size as (
    select count(*) as product_count from products
),

weighted as (
    select
        tokens.product_id,
        tokens.token,
        ln((catalog_size.product_count + 1.0) / document_frequency.product_count) as weight
    from tokens
    inner join document_frequency on tokens.token = document_frequency.token
    cross join catalog_size
),

norms as (
    select
        product_id,
        sqrt({{ deterministic_sum('weight * weight') }}) as norm
    from weighted
    group by product_id
),

pairs as (
    select
        anchor.product_id,
        neighbour.product_id as related_product_id,
        {{ deterministic_sum('anchor.weight * neighbour.weight') }} as dot_product
    from weighted as anchor
    inner join weighted as neighbour
        on anchor.token = neighbour.token and anchor.product_id != neighbour.product_id
    group by anchor.product_id, neighbour.product_id
),

scored as (
    select
        pairs.product_id,
        pairs.related_product_id,
        {{ deterministic_round('pairs.dot_product / nullif(anchor_norm.norm * neighbour_norm.norm, 0)') }}
            as content_score
    from pairs
    inner join norms as anchor_norm on pairs.product_id = anchor_norm.product_id
    inner join norms as neighbour_norm on pairs.related_product_id = neighbour_norm.product_id
),

final as (
    select
        *,
        row_number() over (
            partition by product_id order by content_score desc, related_product_id asc
        ) as related_rank
    from scored
    qualify related_rank <= {{ number_var('recs_candidates_per_source') }}
)

select * from final
