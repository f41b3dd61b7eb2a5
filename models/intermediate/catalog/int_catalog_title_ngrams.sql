-- Distinct character trigrams of every listing's compact title (letters and digits only,
-- lower-case, first 100: int_catalog_listings), so 'spysweeper' and 'spy sweeper' or
-- 'kxtg1032s' and 'kx-tg1032s' share nearly all their trigrams where whole words share none.
with

listings as (
    select
        side,
        listing_id,
        title_compact
    from {{ ref('int_catalog_listings') }}
),

positions as (
    -- dbt.generate_series sums powers of 2 (a float on Snowflake): substr needs an integer.
    select cast(series.generated_number as integer) as generated_number
    from ({{ dbt.generate_series(98) }}) as series
),

final as (
    select distinct
        listings.side,
        listings.listing_id,
        substr(listings.title_compact, positions.generated_number, 3) as trigram
    from listings
    inner join positions on positions.generated_number <= length(listings.title_compact) - 2
)

select * from final
