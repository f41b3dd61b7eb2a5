-- Scoring needs exactly one champion per registered model (a pinned version that is
-- not registered leaves none). Returns each model with zero or several.
select
    model_name,
    count(case when is_champion then 1 end) as champions
from {{ ref('mon_model_registry') }}
group by model_name
having count(case when is_champion then 1 end) != 1
