-- Every catalog product and offer as one listing with the texts matching reads: the
-- normalised title and its first token, the normalised description, the brand (given, else inferred from the title:
-- the longest brand some listing states whose words open this title), code text (title and
-- model number; description apart) for code and number extraction, compact text (letters
-- and digits of title, model number and description) for code containment, and the
-- compact title (the normalised title without spaces, first 100 characters: letters of
-- every script, accents folded) for character n-grams.
with

products as (
    select
        'product' as side,
        product_id as listing_id,
        title,
        title_normalized,
        brand_normalized,
        model_number,
        description
    from {{ ref('stg_products') }}
),

offers as (
    select
        'offer' as side,
        offer_id as listing_id,
        title,
        title_normalized,
        brand_normalized,
        model_number,
        description
    from {{ ref('stg_offers') }}
),

listings as (
    select * from products
    union all
    select * from offers
),

brand_vocabulary as (
    select distinct
        brand_normalized as brand,
        {{ dbt.split_part('brand_normalized', "' '", 1) }} as first_token
    from listings
    where brand_normalized is not null
),

inferred_brands as (
    select
        listings.side,
        listings.listing_id,
        brand_vocabulary.brand
    from listings
    inner join brand_vocabulary
        on {{ dbt.split_part('listings.title_normalized', "' '", 1) }} = brand_vocabulary.first_token
    where
        listings.brand_normalized is null
        and left(listings.title_normalized || ' ', length(brand_vocabulary.brand) + 1) = brand_vocabulary.brand || ' '
    qualify row_number() over (
        partition by listings.side, listings.listing_id
        order by length(brand_vocabulary.brand) desc, brand_vocabulary.brand asc
    ) = 1
),

final as (
    select
        listings.side,
        listings.listing_id,
        listings.title_normalized,
        {{ dbt.split_part('listings.title_normalized', "' '", 1) }} as title_first_token,
        {{ normalize_text('listings.description') }} as description_normalized,
        coalesce(listings.brand_normalized, inferred_brands.brand) as brand_normalized,
        case
            when listings.brand_normalized is not null then 'given'
            when inferred_brands.brand is not null then 'title'
        end as brand_source,
        {{ code_text("listings.title || ' ' || coalesce(listings.model_number, '')") }} as title_code_text,
        {{ code_text("coalesce(listings.description, '')") }} as description_code_text,
        {{ compact_code(
            "listings.title || ' ' || coalesce(listings.model_number, '') || ' '"
            ~ " || coalesce(listings.description, '')"
        ) }} as compact_text,
        left(replace(listings.title_normalized, ' ', ''), 100) as title_compact
    from listings
    left join inferred_brands
        on listings.side = inferred_brands.side and listings.listing_id = inferred_brands.listing_id
)

select * from final
