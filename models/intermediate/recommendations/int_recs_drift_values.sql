-- The ranker's drift populations, long (macro ml_models: drift_values), every numeric column
-- of its training and scoring rows and its score:
--   reference = its training rows (int_recs_ranker_training_rows) of the latest training
--               cutoff ('train'; the earlier training cutoffs are older snapshots by design:
--               their users have shorter histories);
--   window    = the eval cutoff's candidate rows: the latest cutoff whose users are selected
--               as training's are (history before the cutoff and a relevant interaction in the
--               label window after it). The serve cutoff holds every user with history, most
--               of whom do not come back within the label window: a population the ranker
--               never trains on (PSI 0.25 on popularity_score at demo scale 0.1 with no
--               drift), a known limit (model card), not drift.
-- unit_id is the user: a user's candidate rows share its user features, so users, not rows,
-- are the sample size mon_feature_drift judges a PSI by.
{{ config(materialized='view') }}

with

training as (
    select * from {{ ref('int_recs_ranker_training_rows') }}
    where cutoff_name = 'train'
),

scoring_window as (
    select * from {{ ref('int_recs_ranker_scoring_rows') }}
    where cutoff_name = 'eval'
),

feature_rows as (
    select
        'reference' as population,
        user_id as unit_id,
        * exclude (cutoff_name, user_id, product_id, retrieval_source, category_level_1)
    from training
    union all
    select
        'window' as population,
        user_id as unit_id,
        * exclude (cutoff_name, user_id, product_id, retrieval_source, category_level_1)
    from scoring_window
),

feature_values as (
    {{ unpivot_columns('feature_rows', ['population', 'unit_id']) }}
),

scored as (
    select
        'reference' as population,
        training.user_id,
        training.cutoff_name,
        training.product_id
    from training
    union all
    select
        'window' as population,
        scoring_window.user_id,
        scoring_window.cutoff_name,
        scoring_window.product_id
    from scoring_window
),

final as (
    select
        population,
        unit_id,
        'feature' as value_kind,
        column_name,
        column_value as observed_value
    from feature_values
    union all
    select
        scored.population,
        scored.user_id as unit_id,
        'score' as value_kind,
        'ranker_score' as column_name,
        scores.ranker_score as observed_value
    from scored
    inner join {{ ref('ml_ranker_scores') }} as scores
        on
            scored.cutoff_name = scores.cutoff_name
            and scored.user_id = scores.user_id
            and scored.product_id = scores.product_id
)

select * from final
