-- Every value mon_feature_drift compares, long: one row per (model, feature or score,
-- population, row). Populations (README, monitoring; mon_feature_drift.yml):
--   matcher  reference = blocking candidate pairs of the offers in the champion's train labels,
--                        ingested before the scoring window (the scoring population of the
--                        training offers: labelled pairs are the true pair plus hard negatives,
--                        a population no scorer ever sees, so they would always read as drift);
--            window    = candidate pairs of the offers ingested in the last var
--                        drift_window_days days up to the latest ingestion.
--   ranker   reference = the champion's training rows (int_recs_ranker_training_rows) of the
--                        latest training cutoff ('train'; the earlier training cutoffs are
--                        older snapshots by design: their users have shorter histories);
--            window    = the eval cutoff's candidate rows: the latest cutoff whose users are
--                        selected as training's are (history before the cutoff and a
--                        relevant interaction in the label window after it). The serve
--                        cutoff holds every user with history, most of whom do not come back
--                        within the label window: a population the ranker never trains on
--                        (PSI 0.25 on popularity_score at demo scale 0.1 with no drift),
--                        which is a known limit (model card), not drift.
-- unit_id is the row's independent unit, the offer (matcher) or the user (ranker): a user's
-- candidate rows share its user features, so the units, not the rows, are the sample size
-- mon_feature_drift judges a PSI by.
-- Features are whatever the champion's registry row lists (mon_champion_features), so every
-- numeric column of the scoring tables is unpivoted (macro unpivot_columns) and then matched
-- to that list; non-numeric columns are excluded by name below. Scores: the champion's score
-- of the same rows (ml_matcher_scores; ml_ranker_scores also scores the train cutoff).
with

champion_features as (
    select * from {{ ref('mon_champion_features') }}
),

champions as (
    select distinct
        model_name,
        model_version
    from champion_features
),

offers as (
    select
        offer_id,
        ingested_at
    from {{ ref('stg_offers') }}
),

window_bounds as (
    select {{ dbt.dateadd('day', -number_var('drift_window_days'), 'max(ingested_at)') }} as window_start_at
    from offers
),

training_offers as (
    select distinct offer_id
    from {{ ref('int_catalog_training_pairs') }}
    where split = 'train'
),

matcher_pairs as (
    select
        case
            when offers.ingested_at > window_bounds.window_start_at then 'window'
            when training_offers.offer_id is not null then 'reference'
        end as population,
        pairs.*
    from {{ ref('int_catalog_scoring_pairs') }} as pairs
    inner join offers on pairs.offer_id = offers.offer_id
    cross join window_bounds
    left join training_offers on pairs.offer_id = training_offers.offer_id
    where pairs.is_candidate
),

matcher_rows as (
    select
        population,
        offer_id as unit_id,
        * exclude (population, offer_id, product_id, is_candidate)
    from matcher_pairs
    where population is not null
),

matcher_values as (
    {{ unpivot_columns('matcher_rows', ['population', 'unit_id']) }}
),

matcher_scores as (
    select
        matcher_pairs.population,
        matcher_pairs.offer_id as unit_id,
        scores.match_score
    from matcher_pairs
    inner join {{ ref('ml_matcher_scores') }} as scores
        on matcher_pairs.offer_id = scores.offer_id and matcher_pairs.product_id = scores.product_id
    where matcher_pairs.population is not null
),

ranker_window as (
    select * from {{ ref('int_recs_ranker_scoring_rows') }}
    where cutoff_name = 'eval'
),

ranker_rows as (
    select
        'reference' as population,
        user_id as unit_id,
        * exclude (cutoff_name, user_id, product_id, retrieval_source, category_level_1)
    from {{ ref('int_recs_ranker_training_rows') }}
    where cutoff_name = 'train'
    union all
    select
        'window' as population,
        user_id as unit_id,
        * exclude (cutoff_name, user_id, product_id, retrieval_source, category_level_1)
    from ranker_window
),

ranker_values as (
    {{ unpivot_columns('ranker_rows', ['population', 'unit_id']) }}
),

ranker_scores as (
    select
        'reference' as population,
        scores.user_id as unit_id,
        scores.ranker_score
    from {{ ref('ml_ranker_scores') }} as scores
    inner join {{ ref('int_recs_ranker_training_rows') }} as training
        on
            scores.cutoff_name = training.cutoff_name
            and scores.user_id = training.user_id
            and scores.product_id = training.product_id
    union all
    select
        'window' as population,
        scores.user_id as unit_id,
        scores.ranker_score
    from {{ ref('ml_ranker_scores') }} as scores
    inner join ranker_window
        on
            scores.cutoff_name = ranker_window.cutoff_name
            and scores.user_id = ranker_window.user_id
            and scores.product_id = ranker_window.product_id
),

final as (
    select
        champion_features.model_name,
        champion_features.model_version,
        champion_features.feature_name,
        'feature' as value_kind,
        matcher_values.population,
        matcher_values.unit_id,
        matcher_values.column_value as observed_value
    from matcher_values
    inner join champion_features
        on champion_features.model_name = 'matcher' and matcher_values.column_name = champion_features.feature_name
    union all
    select
        champions.model_name,
        champions.model_version,
        'match_score' as feature_name,
        'score' as value_kind,
        matcher_scores.population,
        matcher_scores.unit_id,
        matcher_scores.match_score as observed_value
    from matcher_scores
    inner join champions on champions.model_name = 'matcher'
    union all
    select
        champion_features.model_name,
        champion_features.model_version,
        champion_features.feature_name,
        'feature' as value_kind,
        ranker_values.population,
        ranker_values.unit_id,
        ranker_values.column_value as observed_value
    from ranker_values
    inner join champion_features
        on champion_features.model_name = 'recs_ranker' and ranker_values.column_name = champion_features.feature_name
    union all
    select
        champions.model_name,
        champions.model_version,
        'ranker_score' as feature_name,
        'score' as value_kind,
        ranker_scores.population,
        ranker_scores.unit_id,
        ranker_scores.ranker_score as observed_value
    from ranker_scores
    inner join champions on champions.model_name = 'recs_ranker'
)

select * from final
