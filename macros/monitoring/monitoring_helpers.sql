{#-
    The model descriptor: one entry per trained model, and the one place a new model is
    declared for the registry and the monitors (README "Adding a trained model"):
      model_name     the model_name its registry rows carry
      trainer        the Python model that appends its registry rows (ml_<x>_train)
      pinned         the var that pins a version (rollback)
      input          the model its capability learns from (staging, or the training rows where
                     only some rows qualify, as products with a known value): no rows there and never
                     trained = not applicable (a folder without that capability's tables)
      training_rows, scoring_rows
                     what its trainer and its scorer read: mon_training_serving_skew compares
                     them on row_key, at the rows `skew_where` keeps (both sides)
      row_key        the columns that identify a row of both
      training_not_features, scoring_not_features
                     columns of each that are not features (every other column but the key
                     is numeric; the champion's registry row lists the features)
      drift_values   its drift populations, long (population, unit_id, value_kind,
                     column_name, observed_value): which rows are the reference and the
                     window is the model's own business (mon_feature_drift_inputs)
    mon_model_registry unions the trainers; mon_health_summary expects one champion each.
-#}
{% macro ml_models() %}
    {{ return([
        {'model_name': 'matcher', 'trainer': 'ml_matcher_train', 'pinned': var('matcher_pinned_version'),
            'input': 'stg_match_labels',
            'training_rows': 'int_catalog_training_pairs', 'scoring_rows': 'int_catalog_scoring_pairs',
            'row_key': ['offer_id', 'product_id'],
            'training_not_features': ['split', 'is_candidate'], 'scoring_not_features': ['is_candidate'],
            'skew_where': 'true', 'drift_values': 'int_catalog_drift_values'},
        {'model_name': 'recs_ranker', 'trainer': 'ml_ranker_train', 'pinned': var('recs_pinned_version'),
            'input': 'stg_events',
            'training_rows': 'int_recs_ranker_training_rows', 'scoring_rows': 'int_recs_ranker_scoring_rows',
            'row_key': ['cutoff_name', 'user_id', 'product_id'],
            'training_not_features': ['retrieval_source', 'category_level_1'],
            'scoring_not_features': ['retrieval_source', 'category_level_1'],
            'skew_where': "cutoff_name = 'train'", 'drift_values': 'int_recs_drift_values'},
        {'model_name': 'metadata', 'trainer': 'ml_metadata_train', 'pinned': var('metadata_pinned_version'),
            'input': 'int_catalog_metadata_training_rows',
            'training_rows': 'int_catalog_metadata_training_rows', 'scoring_rows': 'int_catalog_metadata_listings',
            'row_key': ['listing_type', 'listing_id'],
            'training_not_features': ['title', 'category', 'brand'],
            'scoring_not_features': ['title', 'category', 'brand'],
            'skew_where': 'true', 'drift_values': 'int_catalog_metadata_drift_values'},
    ]) }}
{% endmacro %}

{#-
    Is column `column_name` a monitored value of registry feature `feature_name`: the feature
    itself, or a numeric summary `<feature>__<summary>` of a feature that is not a number
    (metadata inference reads the title; its monitors watch title__characters, title__words).
-#}
{% macro is_feature_column(column_name, feature_name) -%}
    (
        {{ column_name }} = {{ feature_name }}
        or left({{ column_name }}, length({{ feature_name }}) + 2) = {{ feature_name }} || '__'
    )
{%- endmacro %}

{#-
    Every offer (stg_offers) and whether it is in the drift window: ingested in the last var
    drift_window_days days up to the latest ingestion (the window population of the catalog
    models' drift views).
-#}
{% macro offers_in_drift_window() -%}
    select
        offer_id,
        ingested_at > (
            select {{ dbt.dateadd('day', -number_var('drift_window_days'), 'max(ingested_at)') }}
            from {{ ref('stg_offers') }}
        ) as is_in_window
    from {{ ref('stg_offers') }}
{%- endmacro %}

{#-
    A model's drift feature rows, long (population, unit_id, value_kind 'feature', column_name,
    observed_value): every column of `rows` (a relation or CTE with a `population` column) but
    `population` and `not_features` (which must name `unit_column`), unpivoted, with
    `unit_column` as the unit. The drift views (macro ml_models: drift_values) add their score.
-#}
{% macro drift_feature_values(rows, unit_column, not_features) -%}
    {%- set feature_rows -%}
        (
            select
                population,
                {{ unit_column }} as unit_id,
                * exclude (population, {{ not_features | join(', ') }})
            from {{ rows }}
        ) as feature_rows
    {%- endset -%}
    select
        population,
        unit_id,
        'feature' as value_kind,
        column_name,
        column_value as observed_value
    from ({{ unpivot_columns(feature_rows, ['population', 'unit_id']) }}) as feature_values
{%- endmacro %}

{#-
    Test-only: var planted_skew ({model_name: ..., feature: ..., offset: ...}) adds `offset` to
    one feature in one model's scoring path (int_catalog_scoring_pairs or
    int_recs_ranker_scoring_rows), so tests/integration/test_monitoring.py can prove that
    mon_training_serving_skew catches a difference between the training and scoring paths.
    Renders `replace (...)` for `select *` when the var names this model, else nothing.
-#}
{% macro planted_skew(model_name) -%}
    {%- set plant = var('planted_skew') -%}
    {%- if plant and plant['model_name'] == model_name -%}
        {%- if plant['offset'] is not number -%}
            {{ exceptions.raise_compiler_error('var planted_skew: offset must be a number') }}
        {%- endif -%}
        replace ({{ sql_identifier(plant['feature']) }} + {{ plant['offset'] }} as {{ sql_identifier(plant['feature']) }})
    {%- endif -%}
{%- endmacro %}

{#- 'pass', 'warn' or 'error' from a value and its warn and error thresholds (at or above = status). -#}
{% macro status_from_thresholds(value, warn_at, error_at) -%}
    case
        when {{ value }} >= {{ error_at }} then 'error'
        when {{ value }} >= {{ warn_at }} then 'warn'
        else 'pass'
    end
{%- endmacro %}

{#- A number as text with `digits` decimals, for check messages. -#}
{% macro number_text(value, digits=3) -%}
    cast(round({{ value }}, {{ digits }}) as {{ dbt.type_string() }})
{%- endmacro %}
