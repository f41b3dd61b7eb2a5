-- Training-serving skew: for every row present in both a champion's training path and its
-- scoring path, are the features equal? Training path: the table the trainer read
-- (int_catalog_training_pairs, int_recs_ranker_training_rows); scoring path: the table the
-- scorer reads (int_catalog_scoring_pairs; int_recs_ranker_scoring_rows at the train cutoff,
-- the same point in time as the training rows). A value differs when
-- |training - scoring| > var skew_tolerance * max(1, |training|), or one side is null.
-- Both paths read the same feature models today, so any difference means a transformation
-- was added to one path only (var planted_skew plants one in tests).
{{ config(materialized='table') }}

with

champion_features as (
    select * from {{ ref('mon_champion_features') }}
),

matcher_training as (
    select
        offer_id || '/' || product_id as entity_key,
        * exclude (offer_id, product_id, split, is_candidate)
    from {{ ref('int_catalog_training_pairs') }}
),

matcher_scoring as (
    select
        offer_id || '/' || product_id as entity_key,
        * exclude (offer_id, product_id, is_candidate)
    from {{ ref('int_catalog_scoring_pairs') }}
    where offer_id || '/' || product_id in (select matcher_training.entity_key from matcher_training)
),

ranker_training as (
    select
        cutoff_name || '/' || user_id || '/' || product_id as entity_key,
        * exclude (cutoff_name, user_id, product_id, retrieval_source, category_level_1)
    from {{ ref('int_recs_ranker_training_rows') }}
    where cutoff_name = 'train'  -- the training cutoff the scorer also scores
),

ranker_scoring as (
    select
        cutoff_name || '/' || user_id || '/' || product_id as entity_key,
        * exclude (cutoff_name, user_id, product_id, retrieval_source, category_level_1)
    from {{ ref('int_recs_ranker_scoring_rows') }}
    where
        cutoff_name = 'train'
        and cutoff_name || '/' || user_id || '/' || product_id
        in (select ranker_training.entity_key from ranker_training)
),

matcher_training_values as (
    {{ unpivot_columns('matcher_training', ['entity_key']) }}
),

matcher_scoring_values as (
    {{ unpivot_columns('matcher_scoring', ['entity_key']) }}
),

ranker_training_values as (
    {{ unpivot_columns('ranker_training', ['entity_key']) }}
),

ranker_scoring_values as (
    {{ unpivot_columns('ranker_scoring', ['entity_key']) }}
),

paired as (
    select
        'matcher' as model_name,
        training.entity_key,
        training.column_name as feature_name,
        training.column_value as training_value,
        scoring.column_value as scoring_value,
        scoring.entity_key is not null as is_in_scoring
    from matcher_training_values as training
    left join matcher_scoring_values as scoring
        on training.entity_key = scoring.entity_key and training.column_name = scoring.column_name
    union all
    select
        'recs_ranker' as model_name,
        training.entity_key,
        training.column_name as feature_name,
        training.column_value as training_value,
        scoring.column_value as scoring_value,
        scoring.entity_key is not null as is_in_scoring
    from ranker_training_values as training
    left join ranker_scoring_values as scoring
        on training.entity_key = scoring.entity_key and training.column_name = scoring.column_name
),

compared as (
    select
        paired.*,
        paired.is_in_scoring and not (
            (paired.training_value is null and paired.scoring_value is null)
            or abs(paired.training_value - paired.scoring_value)
            <= {{ number_var('skew_tolerance') }} * greatest(1.0, abs(paired.training_value))
        ) as is_different
    from paired
),

per_feature as (
    select
        champion_features.model_name,
        champion_features.model_version,
        champion_features.feature_name,
        count(compared.entity_key) as training_rows,
        sum(case when compared.is_in_scoring then 1 else 0 end) as compared_rows,
        sum(case when compared.is_different then 1 else 0 end) as mismatched_rows,
        max(case when compared.is_in_scoring then abs(compared.training_value - compared.scoring_value) end)
            as max_abs_difference,
        min(case when compared.is_different then compared.entity_key end) as example_entity_key
    from champion_features
    left join compared
        on champion_features.model_name = compared.model_name and champion_features.feature_name = compared.feature_name
    group by champion_features.model_name, champion_features.model_version, champion_features.feature_name
),

final as (
    select
        model_name,
        model_version,
        feature_name,
        training_rows,
        coalesce(compared_rows, 0) as compared_rows,
        coalesce(mismatched_rows, 0) as mismatched_rows,
        max_abs_difference,
        {{ number_var('skew_tolerance') }} as tolerance,
        example_entity_key,
        case
            when coalesce(compared_rows, 0) = 0 then 'warn'
            when mismatched_rows > 0 then 'error'
            else 'pass'
        end as status,
        case
            when training_rows = 0
                then 'not compared: ' || feature_name || ' has no values in the training path'
            when coalesce(compared_rows, 0) = 0
                then 'not compared: no training row is present in the scoring path'
            when mismatched_rows > 0
                then
                    cast(mismatched_rows as {{ dbt.type_string() }}) || ' of '
                    || cast(compared_rows as {{ dbt.type_string() }})
                    || ' rows in both paths differ beyond tolerance (max |difference| '
                    || {{ number_text('max_abs_difference', 6) }} || '; e.g. ' || example_entity_key || ')'
            else 'equal on all ' || cast(compared_rows as {{ dbt.type_string() }}) || ' rows in both paths'
        end as message
    from per_feature
)

select * from final
