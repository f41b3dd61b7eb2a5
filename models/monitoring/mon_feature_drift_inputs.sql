-- Every value mon_feature_drift compares, long: one row per (model, feature or score,
-- population, row), for every model in the descriptor (macro ml_models). Each model's
-- drift_values says which rows are its reference (training) and window (latest scoring)
-- populations and what the independent unit is (int_catalog_drift_values,
-- int_recs_drift_values); here they are kept to the features the champion's registry row
-- lists (mon_champion_features; a feature that is not a number by its numeric summaries
-- <feature>__<summary>, macro is_feature_column) and the score of that champion.
{%- set models = ml_models() %}

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

final as (
    {%- for model in models %}
        select
            champion_features.model_name,
            champion_features.model_version,
            drift_values.column_name as feature_name,
            'feature' as value_kind,
            drift_values.population,
            drift_values.unit_id,
            drift_values.observed_value
        from {{ ref(model.drift_values) }} as drift_values
        inner join champion_features
            on
                champion_features.model_name = '{{ model.model_name }}'
                and {{ is_feature_column('drift_values.column_name', 'champion_features.feature_name') }}
        where drift_values.value_kind = 'feature'
        union all
        select
            champions.model_name,
            champions.model_version,
            drift_values.column_name as feature_name,
            'score' as value_kind,
            drift_values.population,
            drift_values.unit_id,
            drift_values.observed_value
        from {{ ref(model.drift_values) }} as drift_values
        inner join champions on champions.model_name = '{{ model.model_name }}'
        where drift_values.value_kind = 'score'
        {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select * from final
