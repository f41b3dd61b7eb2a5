-- A promoted version must not be worse on the holdout than the champion it replaced
-- (both scored on the same holdout when it was trained). Returns each such promotion.
select
    model_name,
    model_version,
    holdout_metric,
    previous_champion_version,
    previous_champion_holdout_metric
from {{ ref('mon_model_registry') }}
where
    is_promoted
    and previous_champion_holdout_metric is not null
    and holdout_metric < previous_champion_holdout_metric
