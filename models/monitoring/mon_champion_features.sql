-- The features of each model's champion, one row per feature, from the registry row's
-- feature_names_json (a JSON list of column names): the features drift and skew monitor.
with

champions as (
    select
        model_name,
        model_version,
        model_name || ':' || model_version as champion_key,
        trim({{ regexp_replace_all('feature_names_json', '[^A-Za-z0-9_]+', ' ') }}) as feature_list
    from {{ ref('mon_model_registry') }}
    where is_champion
),

feature_tokens as (
    {{ split_to_rows('champions', 'champion_key', 'feature_list') }}
),

final as (
    select distinct
        champions.model_name,
        champions.model_version,
        lower(feature_tokens.token) as feature_name
    from feature_tokens
    inner join champions on feature_tokens.champion_key = champions.champion_key
    where feature_tokens.token != ''
)

select * from final
