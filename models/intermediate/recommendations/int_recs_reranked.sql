-- The served list per cutoff (eval and serve) and user, top var recs_k: candidates ordered by
-- the ranker's score (seen items were never candidates: purchased and hidden among them),
-- re-ranked (macro recs_rerank: category cap, exploration slots) with the setting
-- int_recs_rerank_budget chose within var recs_rerank_max_ndcg_loss; then a user with too few
-- candidates (new users: none) is filled up with the most popular unseen products
-- (retrieval_source popularity_fallback).
with

scores as (
    select * from {{ ref('ml_ranker_scores') }}
),

features as (
    select * from {{ ref('int_recs_ranker_features') }}
    where cutoff_name in ('eval', 'serve')
),

target_users as (
    select * from {{ ref('int_recs_target_users') }}
    where cutoff_name in ('eval', 'serve')
),

popularity as (
    select * from {{ ref('int_recs_item_popularity') }}
    where cutoff_name in ('eval', 'serve')
),

history as (
    select * from {{ ref('int_recs_user_history') }}
    where is_seen
),

chosen_setting as (
    select * from {{ ref('int_recs_rerank_budget') }}
    where is_chosen
),

{{ recs_rerank('features', 'scores', 'chosen_setting') }},

fallback as (
    -- the most popular products each user has neither seen nor been given, after the list
    select
        target_users.cutoff_name,
        target_users.user_id,
        popularity.product_id,
        coalesce(popularity.decayed_popularity / nullif(max(popularity.decayed_popularity) over (
            partition by popularity.cutoff_name
        ), 0), 0) as score,
        'popularity_fallback' as retrieval_source,
        'none' as model_version,
        2 as slot_group,
        popularity.popularity_rank as slot_position
    from target_users
    inner join popularity
        on
            target_users.cutoff_name = popularity.cutoff_name
            and popularity.popularity_rank <= {{ number_var('recs_k') * 3 }} + 50
    left join history
        on
            target_users.cutoff_name = history.cutoff_name
            and target_users.user_id = history.user_id
            and popularity.product_id = history.product_id
    left join listed
        on
            target_users.cutoff_name = listed.cutoff_name
            and target_users.user_id = listed.user_id
            and popularity.product_id = listed.product_id
    where history.product_id is null and listed.product_id is null
),

final as (
    select
        cutoff_name,
        user_id,
        row_number() over (partition by cutoff_name, user_id order by slot_group, slot_position, product_id) as rank,
        product_id,
        score,
        retrieval_source,
        model_version
    from (
        select
            cutoff_name,
            user_id,
            product_id,
            score,
            retrieval_source,
            model_version,
            slot_group,
            slot_position
        from listed
        union all
        select * from fallback
    ) as all_slots
    qualify rank <= {{ number_var('recs_k') }}
)

select * from final
