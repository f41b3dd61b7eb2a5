-- The public match decision of every kept offer (int_catalog_decisions has the rules).
select
    offer_id,
    merchant_id,
    product_id,
    match_score,
    decision,
    decision_source,
    model_version,
    decided_at
from {{ ref('int_catalog_decisions') }}
