-- The full text of every listing (normalised title and description) as distinct tokens
-- with IDF over all listings of both sides (ln((n + 1) / (df + 1)) + 1), learnt from the
-- data; a listing keeps its var catalog_text_tokens_per_listing rarest tokens, so a long
-- description costs no more than that. The text TF-IDF feature compares two listings'
-- full texts (an offer's title against a product's description, say).
with

listings as (
    select
        side,
        listing_id,
        side || ':' || listing_id as listing_key,
        trim(title_normalized || ' ' || coalesce(description_normalized, '')) as text_normalized
    from {{ ref('int_catalog_listings') }}
),

{{ listing_tokens('text_normalized') }},

document_frequency as (
    select
        token,
        count(*) as listing_frequency
    from tokens
    group by token
),

corpus_size as (
    select count(*) as listing_count from listings
),

weighted as (
    select
        tokens.side,
        tokens.listing_id,
        tokens.token,
        {{ catalog_idf('document_frequency.listing_frequency', 'corpus_size.listing_count') }} as idf
    from tokens
    cross join corpus_size
    inner join document_frequency on tokens.token = document_frequency.token
),

final as (
    select * from weighted
    qualify row_number() over (
        partition by side, listing_id order by idf desc, token asc
    ) <= {{ number_var('catalog_text_tokens_per_listing') }}
)

select * from final
