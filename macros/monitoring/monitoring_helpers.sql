{#-
    The trained models: each trainer's registry table, the model_name its rows carry, the var
    that pins a version (rollback) and `input`, the staging model its capability learns from.
    mon_model_registry unions them; mon_health_summary expects exactly one champion of each,
    unless its input has no rows and it was never trained (a folder without that capability's
    tables): then the model is not applicable, not an error. To register a new trainer, add it
    here.
-#}
{% macro model_trainers() %}
    {{ return([
        {'trainer': 'ml_matcher_train', 'model_name': 'matcher', 'pinned': var('matcher_pinned_version'),
            'input': 'stg_match_labels'},
        {'trainer': 'ml_ranker_train', 'model_name': 'recs_ranker', 'pinned': var('recs_pinned_version'),
            'input': 'stg_events'},
    ]) }}
{% endmacro %}

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
