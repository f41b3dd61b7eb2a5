-- Every method's top var recs_k list for the evaluated users at the eval cutoff, in one shape
-- (method, user_id, rank, product_id) for the metric macros:
-- ranker (the served list, after re-ranking), ranker_before_reranking (ranker order alone),
-- popularity (global popularity before the cutoff, seen items removed) and source_<name> for
-- every retrieval source alone (macro recs_retrieval_sources: its own top var recs_k). All
-- from events before the eval cutoff only.

with

target_users as (
    select * from {{ ref('int_recs_target_users') }}
    where cutoff_name = 'eval'
),

reranked as (
    select * from {{ ref('int_recs_reranked') }}
    where cutoff_name = 'eval'
),

scores as (
    select * from {{ ref('ml_ranker_scores') }}
    where cutoff_name = 'eval'
),

popularity as (
    select * from {{ ref('int_recs_item_popularity') }}
    where cutoff_name = 'eval'
),

seen as (
    select * from {{ ref('int_recs_user_history') }}
    where cutoff_name = 'eval' and is_seen
),

ranker as (
    select
        'ranker' as method,  -- noqa: RF04
        reranked.user_id,
        reranked.rank,
        reranked.product_id
    from reranked
    inner join target_users on reranked.user_id = target_users.user_id
),

ranker_before_reranking as (
    select
        'ranker_before_reranking' as method,  -- noqa: RF04
        scores.user_id,
        row_number()
            over (partition by scores.user_id order by scores.ranker_score desc, scores.product_id asc)
            as rank,
        scores.product_id
    from scores
    inner join target_users on scores.user_id = target_users.user_id
    qualify rank <= {{ number_var('recs_k') }}
),

popular as (
    select
        'popularity' as method,  -- noqa: RF04
        target_users.user_id,
        row_number() over (partition by target_users.user_id order by popularity.popularity_rank) as rank,
        popularity.product_id
    from target_users
    inner join popularity on popularity.popularity_rank <= {{ number_var('recs_k') }} + 200
    left join seen on target_users.user_id = seen.user_id and popularity.product_id = seen.product_id
    where seen.product_id is null
    qualify rank <= {{ number_var('recs_k') }}
),

each_source as (
    select
        'source_' || retrieved.source_name as method,  -- noqa: RF04
        retrieved.user_id,
        retrieved.source_rank as rank,  -- noqa: RF04
        retrieved.product_id
    from ({{ recs_retrieved('eval') }}) as retrieved
    inner join target_users on retrieved.user_id = target_users.user_id
    where retrieved.source_rank <= {{ number_var('recs_k') }}
),

final as (
    select * from ranker
    union all
    select * from ranker_before_reranking
    union all
    select * from popular
    union all
    select * from each_source
)

select * from final
