-- Every code of every listing: a token (int_catalog_listing_tokens) of 3 to 40 letters and
-- digits once punctuation is removed, with a digit, and a letter unless it is 5 digits or
-- more (so versions such as cs3 or x64 count); quantities with a unit (500gb, 46", 1080p)
-- are numbers, not codes (int_catalog_listing_numbers). Codes compare upper-case without
-- punctuation, so 'KX-TG1032S', 'kx tg1032s' (as parts) and 'KXTG1032S' meet.
with

tokens as (
    select
        side,
        listing_id,
        is_title,
        token,
        {{ compact_code('token') }} as code
    from {{ ref('int_catalog_listing_tokens') }}
),

codes as (
    select
        side,
        listing_id,
        code,
        max(case when is_title then 1 else 0 end) as in_title
    from tokens
    where
        length(code) between 3 and 40
        and {{ regexp_contains('code', '[0-9]') }}
        and ({{ regexp_contains('code', '[A-Z]') }} or length(code) >= 5)
        and not {{ regexp_contains('token', '^[0-9]+([.][0-9]+)?' ~ number_unit_pattern() ~ '$') }}
    group by side, listing_id, code
),

final as (
    select
        side,
        listing_id,
        code,
        in_title = 1 as is_title_code
    from codes
)

select * from final
