-- Offline evaluation on the time holdout, per method (the ranker, its list before re-ranking,
-- and the popularity and co-visitation baselines of the same build) and user segment ('all'
-- and each segment: segment parity is the fairness view). Means over evaluated users of the
-- per-user metrics; catalog coverage over the segment's lists (README, evaluation protocol).
with

user_metrics as (
    select * from {{ ref('eval_ranking_user_metrics') }}
),

lists as (
    select * from {{ ref('int_recs_eval_lists') }}
),

target_users as (
    select * from {{ ref('int_recs_target_users') }}
    where cutoff_name = 'eval'
),

products as (
    select * from {{ ref('stg_products') }}
),

segments as (
    select 'all' as user_segment
    union all
    select distinct user_segment from target_users
),

segmented_lists as (
    select
        lists.method,
        segments.user_segment,
        lists.user_id,
        lists.rank,
        lists.product_id
    from lists
    inner join target_users on lists.user_id = target_users.user_id
    cross join segments
    where segments.user_segment in ('all', target_users.user_segment)
),

coverage as ({{ catalog_coverage('segmented_lists', 'products', number_var('recs_k'), ['method', 'user_segment']) }}
),

segmented_metrics as (
    select
        user_metrics.*,
        segments.user_segment
    from user_metrics
    inner join target_users on user_metrics.user_id = target_users.user_id
    cross join segments
    where segments.user_segment in ('all', target_users.user_segment)
),

aggregated as (
    select
        method,
        user_segment,
        count(*) as evaluated_users,
        {{ deterministic_avg('ndcg_at_k') }} as ndcg_at_k,
        {{ deterministic_avg('average_precision_at_k') }} as map_at_k,
        {{ deterministic_avg('recall_at_k') }} as recall_at_k,
        {{ deterministic_avg('precision_at_k') }} as precision_at_k,
        {{ deterministic_avg('reciprocal_rank') }} as mrr,
        {{ deterministic_avg('intra_list_diversity') }} as intra_list_diversity,
        {{ deterministic_avg('novelty') }} as novelty,
        {{ deterministic_avg('popularity_bias') }} as popularity_bias
    from segmented_metrics
    group by method, user_segment
),

final as (
    select
        aggregated.method,
        aggregated.user_segment,
        {{ number_var('recs_k') }} as k,
        aggregated.evaluated_users,
        aggregated.ndcg_at_k,
        aggregated.map_at_k,
        aggregated.recall_at_k,
        aggregated.precision_at_k,
        aggregated.mrr,
        coalesce(coverage.catalog_coverage, 0) as catalog_coverage,
        aggregated.intra_list_diversity,
        aggregated.novelty,
        aggregated.popularity_bias
    from aggregated
    left join coverage on aggregated.method = coverage.method and aggregated.user_segment = coverage.user_segment
)

select * from final
