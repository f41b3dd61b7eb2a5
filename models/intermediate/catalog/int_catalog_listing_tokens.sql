-- Raw tokens of every listing's code text (int_catalog_listings), from the title (with the
-- model number) and from the description: each whitespace token whole ('kx-tg1032s') and
-- split at '-' and '/' ('kx', 'tg1032s'), so codes written with or without their
-- separators meet. int_catalog_listing_codes and int_catalog_listing_numbers read them.
with

listings as (
    select * from {{ ref('int_catalog_listings') }}
),

texts as (
    select
        side || '|' || listing_id || '|title' as text_key,
        side,
        listing_id,
        true as is_title,
        title_code_text as code_text
    from listings
    union all
    select
        side || '|' || listing_id || '|description' as text_key,
        side,
        listing_id,
        false as is_title,
        description_code_text as code_text
    from listings
    where trim(description_code_text) != ''
),

split_texts as (
    select
        text_key,
        code_text as split_text
    from texts
    union all
    select
        text_key,
        {{ regexp_replace_all('code_text', '[-/]+', ' ') }} as split_text
    from texts
),

split_tokens as (
    {{ split_to_rows('split_texts', 'text_key', 'split_text') }}
),

final as (
    select distinct
        texts.side,
        texts.listing_id,
        texts.is_title,
        {{ regexp_replace_all('split_tokens.token', '^[-./]+|[-./]+$', '') }} as token
    from split_tokens
    inner join texts on split_tokens.text_key = texts.text_key
    where length(split_tokens.token) >= 1
)

select * from final
