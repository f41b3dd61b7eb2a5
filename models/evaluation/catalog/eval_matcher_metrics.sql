-- Matcher quality, one row per evaluation:
--   matcher_test_labels      the champion on the test labels, at its own threshold (chosen on valid)
--   baseline_title_tfidf     one title similarity (TF-IDF cosine) with the F1-best threshold on
--                            valid, on the same test labels
--   end_to_end_ground_truth  (demo only) fct_offer_matches against the true product of every
--                            kept offer: blocking, GTIN rule, model and overrides together
-- Precision, recall and F1 at the threshold; average precision over all thresholds.
with

labelled_scores as (
    select
        labels.split,
        cast(labels.is_match as integer) as is_match,
        scores.match_score,
        scores.match_threshold,
        scores.model_version,
        features.title_tfidf_cosine
    from {{ ref('stg_match_labels') }} as labels
    inner join {{ ref('int_catalog_pair_features') }} as features
        on labels.offer_id = features.offer_id and labels.product_id = features.product_id
    left join {{ ref('ml_matcher_scores') }} as scores
        on labels.offer_id = scores.offer_id and labels.product_id = scores.product_id
),

test_scores as (
    select * from labelled_scores
    where split = 'test' and match_score is not null
),

test_similarity as (
    select * from labelled_scores
    where split = 'test'
),

valid_similarity as (
    select * from labelled_scores
    where split = 'valid'
),

matcher_curve as (
    {{ score_thresholds('test_scores', 'match_score', 'is_match') }}
),

baseline_valid_curve as (
    {{ score_thresholds('valid_similarity', 'title_tfidf_cosine', 'is_match') }}
),

baseline_test_curve as (
    {{ score_thresholds('test_similarity', 'title_tfidf_cosine', 'is_match') }}
),

baseline_threshold as (
    select threshold
    from baseline_valid_curve
    order by f1 desc, threshold desc
    limit 1
),

matcher as (
    select
        'matcher_test_labels' as evaluation,
        max(model_version) as model_version,
        max(match_threshold) as threshold,
        count(*) as evaluated_rows,
        sum(is_match) as positives,
        sum(case when match_score >= match_threshold then is_match else 0 end) as true_positives,
        sum(case when match_score >= match_threshold then 1 - is_match else 0 end) as false_positives,
        (
            select {{ deterministic_sum('matcher_curve.recall_step * matcher_curve.precision') }}
            from matcher_curve
        ) as average_precision
    from test_scores
),

baseline as (
    select
        'baseline_title_tfidf' as evaluation,
        cast(null as {{ dbt.type_string() }}) as model_version,
        max(baseline_threshold.threshold) as threshold,
        count(*) as evaluated_rows,
        sum(test_similarity.is_match) as positives,
        sum(
            case
                when test_similarity.title_tfidf_cosine >= baseline_threshold.threshold
                    then test_similarity.is_match
                else 0
            end
        )
            as true_positives,
        sum(
            case
                when test_similarity.title_tfidf_cosine >= baseline_threshold.threshold
                    then 1 - test_similarity.is_match
                else 0
            end
        )
            as false_positives,
        (
            select {{ deterministic_sum('baseline_test_curve.recall_step * baseline_test_curve.precision') }}
            from baseline_test_curve
        ) as average_precision
    from test_similarity
    cross join baseline_threshold
),

{% if var('raw_source') == 'demo' %}
    end_to_end as (
        select
            'end_to_end_ground_truth' as evaluation,
            max(matches.model_version) as model_version,
            cast(null as {{ dbt.type_float() }}) as threshold,
            count(*) as evaluated_rows,
            count(truth.true_product_id) as positives,
            sum(case when matches.decision = 'matched' and matches.product_id = truth.true_product_id then 1 else 0 end)
                as true_positives,
            sum(
                case
                    when matches.decision = 'matched' and matches.product_id != coalesce(truth.true_product_id, '')
                        then 1
                    else 0
                end
            ) as false_positives,
            cast(null as {{ dbt.type_float() }}) as average_precision
        from {{ ref('fct_offer_matches') }} as matches
        inner join {{ ref('demo_truth_offers') }} as truth on matches.offer_id = truth.offer_id
    ),
{% endif %}

evaluations as (
    select * from matcher
    union all
    select * from baseline
    {%- if var('raw_source') == 'demo' %}
        union all
        select * from end_to_end
    {%- endif %}
),

final as (
    select
        evaluation,
        model_version,
        threshold,
        evaluated_rows,
        positives,
        true_positives,
        false_positives,
        {{ classification_metrics('true_positives', 'false_positives', 'positives') }},  -- noqa: RF04
        average_precision
    from evaluations
)

select * from final
