-- Training-serving skew: for every row present in both a champion's training path and its
-- scoring path, are the features equal? Each model in the descriptor (macro ml_models) names
-- the table its trainer read (training_rows) and the table its scorer reads (scoring_rows),
-- compared on row_key at the rows skew_where keeps (the ranker: the train cutoff, which the
-- scorer also scores). A value differs when
-- |training - scoring| > var skew_tolerance * max(1, |training|), or one side is null.
-- A feature that is not a number is compared by its numeric summaries <feature>__<summary>
-- (macro is_feature_column). Both paths read the same feature models today, so any
-- difference means a transformation was added to one path only (var planted_skew plants one
-- in tests).
{{ config(materialized='table') }}
{%- set models = ml_models() %}

with

champion_features as (
    select * from {{ ref('mon_champion_features') }}
),
{%- for model in models %}
    {%- set entity_key = model.row_key | join(" || '/' || ") %}

    {{ model.model_name }}_training as (
        select
            {{ entity_key }} as entity_key,
            * exclude ({{ (model.row_key + model.training_not_features) | join(', ') }})
        from {{ ref(model.training_rows) }}
        where {{ model.skew_where }}
    ),

    {{ model.model_name }}_scoring as (
        select
            {{ entity_key }} as entity_key,
            * exclude ({{ (model.row_key + model.scoring_not_features) | join(', ') }})
        from {{ ref(model.scoring_rows) }}
        where
            {{ model.skew_where }}
            and {{ entity_key }} in (select training.entity_key from {{ model.model_name }}_training as training)
    ),

    {{ model.model_name }}_training_values as (
        {{ unpivot_columns(model.model_name ~ '_training', ['entity_key']) }}
    ),

    {{ model.model_name }}_scoring_values as (
        {{ unpivot_columns(model.model_name ~ '_scoring', ['entity_key']) }}
    ),
{%- endfor %}

paired as (
    {%- for model in models %}
        select
            '{{ model.model_name }}' as model_name,
            training.entity_key,
            training.column_name as feature_name,
            training.column_value as training_value,
            scoring.column_value as scoring_value,
            scoring.entity_key is not null as is_in_scoring
        from {{ model.model_name }}_training_values as training
        left join {{ model.model_name }}_scoring_values as scoring
            on training.entity_key = scoring.entity_key and training.column_name = scoring.column_name
        {{ 'union all' if not loop.last }}
    {%- endfor %}
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
        coalesce(compared.feature_name, champion_features.feature_name) as feature_name,
        count(compared.entity_key) as training_rows,
        sum(case when compared.is_in_scoring then 1 else 0 end) as compared_rows,
        sum(case when compared.is_different then 1 else 0 end) as mismatched_rows,
        max(case when compared.is_in_scoring then abs(compared.training_value - compared.scoring_value) end)
            as max_abs_difference,
        min(case when compared.is_different then compared.entity_key end) as example_entity_key
    from champion_features
    left join compared
        on
            champion_features.model_name = compared.model_name
            and {{ is_feature_column('compared.feature_name', 'champion_features.feature_name') }}
    group by
        champion_features.model_name,
        champion_features.model_version,
        coalesce(compared.feature_name, champion_features.feature_name)
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
