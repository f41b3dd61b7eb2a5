-- Precision-recall curve of the champion matcher on the test labels: precision, recall and
-- F1 at every distinct match score (macro score_thresholds).
with

test_pairs as (
    select
        scores.match_score,
        cast(labels.is_match as integer) as is_match
    from {{ ref('ml_matcher_scores') }} as scores
    inner join {{ ref('stg_match_labels') }} as labels
        on scores.offer_id = labels.offer_id and scores.product_id = labels.product_id
    where labels.split = 'test'
),

curve as (
    {{ score_thresholds('test_pairs', 'match_score', 'is_match') }}
)

select * from curve
