-- The matcher's drift populations, long (macro ml_models: drift_values), every numeric
-- column of its scoring pairs and its score:
--   reference = blocking candidate pairs of the offers in the train labels, ingested before
--               the scoring window (the scoring population of the training offers: labelled
--               pairs are the true pair plus hard negatives, a population no scorer ever
--               sees, so they would always read as drift);
--   window    = candidate pairs of the offers ingested in the last var drift_window_days days
--               up to the latest ingestion.
-- unit_id is the offer: its candidate pairs share its features, so offers, not pairs, are the
-- sample size mon_feature_drift judges a PSI by.
{{ config(materialized='view') }}

with

offers as (
    {{ offers_in_drift_window() }}
),

training_offers as (
    select distinct offer_id
    from {{ ref('int_catalog_training_pairs') }}
    where split = 'train'
),

pairs as (
    select
        case
            when offers.is_in_window then 'window'
            when training_offers.offer_id is not null then 'reference'
        end as population,
        scoring_pairs.*
    from {{ ref('int_catalog_scoring_pairs') }} as scoring_pairs
    inner join offers on scoring_pairs.offer_id = offers.offer_id
    left join training_offers on scoring_pairs.offer_id = training_offers.offer_id
    where scoring_pairs.is_candidate
),

populated_pairs as (
    select * from pairs
    where population is not null
),

feature_values as (
    {{ drift_feature_values('populated_pairs', 'offer_id', ['offer_id', 'product_id', 'is_candidate']) }}
),

final as (
    select * from feature_values
    union all
    select
        populated_pairs.population,
        populated_pairs.offer_id as unit_id,
        'score' as value_kind,
        'match_score' as column_name,
        scores.match_score as observed_value
    from populated_pairs
    inner join {{ ref('ml_matcher_scores') }} as scores
        on populated_pairs.offer_id = scores.offer_id and populated_pairs.product_id = scores.product_id
)

select * from final
