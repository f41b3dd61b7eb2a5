-- The champion matcher on the test labels by product segment: 'all' and each top-level
-- category of the labelled product (the model card's metrics by segment). Same rows, scores
-- and threshold as eval_matcher_metrics' matcher_test_labels, so its 'all' row repeats that
-- one; a category segment counts the labelled pairs whose product is in that category.
with

labelled_scores as (
    select
        coalesce(products.category_level_1, 'unknown') as product_category,
        cast(labels.is_match as integer) as is_match,
        scores.match_score,
        scores.match_threshold,
        scores.model_version
    from {{ ref('stg_match_labels') }} as labels
    inner join {{ ref('int_catalog_pair_features') }} as features
        on labels.offer_id = features.offer_id and labels.product_id = features.product_id
    inner join {{ ref('ml_matcher_scores') }} as scores
        on labels.offer_id = scores.offer_id and labels.product_id = scores.product_id
    left join {{ ref('stg_products') }} as products on labels.product_id = products.product_id
    where labels.split = 'test'
),

segmented as (
    select
        'all' as product_category,
        is_match,
        match_score,
        match_threshold,
        model_version
    from labelled_scores
    union all
    select
        product_category,
        is_match,
        match_score,
        match_threshold,
        model_version
    from labelled_scores
),

curve as (
    {{ score_thresholds('segmented', 'match_score', 'is_match', ['product_category']) }}
),

average_precision as (
    select
        product_category,
        {{ deterministic_sum('recall_step * precision') }} as average_precision
    from curve
    group by product_category
),

counts as (
    select
        product_category,
        max(model_version) as model_version,
        max(match_threshold) as threshold,
        count(*) as evaluated_rows,
        sum(is_match) as positives,
        sum(case when match_score >= match_threshold then is_match else 0 end) as true_positives,
        sum(case when match_score >= match_threshold then 1 - is_match else 0 end) as false_positives
    from segmented
    group by product_category
),

final as (
    select
        counts.product_category,
        counts.model_version,
        counts.threshold,
        counts.evaluated_rows,
        counts.positives,
        counts.true_positives,
        counts.false_positives,
        {{ classification_metrics(
            'counts.true_positives', 'counts.false_positives', 'counts.positives'
        ) }},  -- noqa: RF04
        average_precision.average_precision
    from counts
    left join average_precision on counts.product_category = average_precision.product_category
)

select * from final
