-- Fails when the served ranking does not beat the global popularity baseline on NDCG@K on
-- the time holdout (all users), or when either figure is missing. Builds with fewer evaluated
-- users than var recs_gate_min_users are too small to judge and are not gated.
with

metrics as (
    select * from {{ ref('eval_ranking_metrics') }}
    where user_segment = 'all'
),

compared as (
    select
        coalesce(max(evaluated_users), 0) as evaluated_users,
        max(case when method = 'ranker' then ndcg_at_k end) as ranker_ndcg,
        max(case when method = 'popularity' then ndcg_at_k end) as popularity_ndcg
    from metrics
),

final as (
    select *
    from compared
    where
        evaluated_users >= {{ number_var('recs_gate_min_users') }}
        and (ranker_ndcg is null or popularity_ndcg is null or ranker_ndcg <= popularity_ndcg)
)

select * from final
