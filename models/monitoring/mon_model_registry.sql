{#-
    The model registry: every version of every trained model, one row per training run,
    from each trainer's own append-only table, with the version scoring uses marked.
    The trainers (and the vars that pin their versions) are listed in macro ml_models.
-#}
{%- set trainers = ml_models() -%}

with

registered as (
    {%- for trainer in trainers %}
        select
            model_name,
            model_version,
            trained_at,
            params_json,
            feature_names_json,
            training_rows,
            holdout_metric_name,
            holdout_metric,
            metrics_json,
            previous_champion_version,
            previous_champion_holdout_metric,
            is_promoted,
            promotion_reason,
            '{{ trainer.trainer }}' as trainer_model,
            {{ "'" ~ trainer.pinned ~ "'" if trainer.pinned else 'null' }} as pinned_version
        from {{ ref(trainer.trainer) }}
        {{ 'union all' if not loop.last }}
    {%- endfor %}
),

ranked as (
    select
        *,
        row_number() over (
            partition by model_name, is_promoted
            order by trained_at desc, model_version desc
        ) as promoted_recency
    from registered
),

final as (
    select
        ranked.* exclude (promoted_recency),  -- noqa: RF03
        coalesce(
            ranked.model_version = ranked.pinned_version,
            ranked.pinned_version is null and ranked.is_promoted and ranked.promoted_recency = 1
        ) as is_champion
    from ranked
)

select * from final
