-- Every registry row follows the promotion rule recorded with it (registry.decide_promotion,
-- rule in metrics_json): the first version of a model is promoted; a challenger carries the
-- champion re-scored on its own holdout and the paired bootstrap interval of the difference,
-- and is promoted exactly when that interval's lower bound (and the difference) is strictly
-- above the margin on at least the minimum number of holdout units. Rows trained before the
-- rule was recorded are held to the old check (not worse than the champion replaced).
-- Returns each row that breaks its rule, with the reason.
with

registry as (
    select
        model_name,
        model_version,
        trained_at,
        is_promoted,
        holdout_metric,
        previous_champion_version,
        previous_champion_holdout_metric,
        {{ json_number('metrics_json', 'promotion_margin') }} as margin,
        {{ json_number('metrics_json', 'promotion_min_holdout_units') }} as min_units,
        {{ json_number('metrics_json', 'promotion_holdout_units') }} as holdout_units,
        {{ json_number('metrics_json', 'promotion_difference') }} as difference,
        {{ json_number('metrics_json', 'promotion_difference_low') }} as difference_low
    from {{ ref('mon_model_registry') }}
),

checked as (
    select
        *,
        case
            when previous_champion_version is null and not is_promoted
                then 'first version of a model not promoted'
            when previous_champion_version is null
                then null
            when margin is null
                then case
                    when is_promoted and holdout_metric < previous_champion_holdout_metric
                        then 'promoted although worse than the champion it replaced'
                end
            when previous_champion_holdout_metric is null or difference_low is null
                then 'challenger without a re-scored champion metric and interval'
            when abs(holdout_metric - previous_champion_holdout_metric - difference) > 1e-9
                then 'recorded difference is not challenger minus re-scored champion'
            when is_promoted and (difference_low <= margin or difference <= margin)
                then 'promoted without its lower bound strictly above the margin'
            when is_promoted and holdout_units < min_units
                then 'promoted on a holdout below the minimum size'
            when
                not is_promoted
                and difference_low > margin
                and difference > margin
                and holdout_units >= min_units
                then 'not promoted although it won by more than the noise'
        end as violation
    from registry
),

final as (
    select * from checked
    where violation is not null
)

select * from final
