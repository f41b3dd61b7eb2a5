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

populations as (
    select
        'reference' as population,
        *
    from training
    union all
    select
        'window' as population,
        *
    from scoring_window
),

feature_values as (
    {{ drift_feature_values(
        'populations', 'user_id', ['cutoff_name', 'user_id', 'product_id', 'retrieval_source', 'category_level_1']
    ) }}
),

final as (
    select * from feature_values
    union all
    select
        populations.population,
        populations.user_id as unit_id,
        'score' as value_kind,
        'ranker_score' as column_name,
        scores.ranker_score as observed_value
    from populations
    inner join {{ ref('ml_ranker_scores') }} as scores
        on
            populations.cutoff_name = scores.cutoff_name
            and populations.user_id = scores.user_id
            and populations.product_id = scores.product_id
)

select * from final
