-- Metadata inference's drift populations, long (macro ml_models: drift_values): the title
-- summaries of int_catalog_metadata_listings and the confidence of each attribute's
-- prediction, for offers, the listings it keeps scoring:
--   reference = offers ingested before the scoring window (known products are not the
--               reference: merchants' offer titles differ from catalog titles by design, so
--               they would always read as drift);
--   window    = offers ingested in the last var drift_window_days days up to the latest
--               ingestion.
-- unit_id is the offer.
{{ config(materialized='view') }}

with

offers as (
    {{ offers_in_drift_window() }}
),

populations as (
    select
        case when offers.is_in_window then 'window' else 'reference' end as population,
        listings.*
    from {{ ref('int_catalog_metadata_listings') }} as listings
    inner join offers on listings.listing_id = offers.offer_id
    where listings.listing_type = 'offer'
),

feature_values as (
    {{ drift_feature_values(
        'populations', 'listing_id', ['listing_type', 'listing_id', 'title', 'category', 'brand']
    ) }}
),

final as (
    select * from feature_values
    union all
    select
        populations.population,
        populations.listing_id as unit_id,
        'score' as value_kind,
        predictions.attribute || '_confidence' as column_name,
        predictions.confidence as observed_value
    from populations
    inner join {{ ref('ml_metadata_predictions') }} as predictions
        on populations.listing_id = predictions.listing_id and predictions.listing_type = 'offer'
)

select * from final
