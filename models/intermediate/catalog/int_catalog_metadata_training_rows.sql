-- What metadata inference trains on (macro ml_models: its training rows): the catalog
-- products with a known category or brand, read as scoring reads them
-- (int_catalog_metadata_listings). ml_metadata_train holds a fixed fifth of them out
-- (catalog_ml.metadata.is_holdout_product) to measure and compare versions on.
with

listings as (
    select * from {{ ref('int_catalog_metadata_listings') }}
),

final as (
    select *
    from listings
    where listing_type = 'product' and (category is not null or brand is not null)
)

select * from final
