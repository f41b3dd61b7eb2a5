-- What the matcher may learn from: labelled pairs of the train and valid splits (an empty
-- split counts as train in staging) with their pair features. Test labels are left out
-- here, so no training code can see them.
with

labels as (
    select * from {{ ref('stg_match_labels') }}
    where split in ('train', 'valid')
),

features as (
    select * from {{ ref('int_catalog_pair_features') }}
),

final as (
    select
        labels.split,
        cast(labels.is_match as integer) as is_match,
        features.*
    from labels
    inner join features
        on labels.offer_id = features.offer_id and labels.product_id = features.product_id
)

select * from final
