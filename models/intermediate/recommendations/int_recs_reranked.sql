-- The served list per cutoff (eval and serve) and user, top var recs_k: candidates ordered by
-- the ranker's score (seen items were never candidates: purchased and hidden among them), then
-- 1. diversity: at most var recs_category_cap items of one top-level category before any
--    item over the cap (0 = off);
-- 2. exploration: the last var recs_exploration_slots places go to candidates outside the
--    top, picked by a deterministic hash of cutoff, user and product;
-- 3. fallback: a user with too few candidates (new users: none) is filled up with the most
--    popular unseen products (retrieval_source popularity_fallback).
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

scored as (
    select
        features.cutoff_name,
        features.user_id,
        features.product_id,
        features.category_level_1,
        features.retrieval_source,
        scores.ranker_score as score,
        scores.model_version,
        row_number() over (
            partition by features.cutoff_name, features.user_id, features.category_level_1
            order by scores.ranker_score desc, features.product_id asc
        ) as category_position
    from features
    inner join scores
        on
            features.cutoff_name = scores.cutoff_name
            and features.user_id = scores.user_id
            and features.product_id = scores.product_id
),

diversified as (
    select
        *,
        row_number() over (
            partition by cutoff_name, user_id
            order by
                {% if var('recs_category_cap') | int > 0 -%}
                    case when category_position > {{ var('recs_category_cap') }} then 1 else 0 end,
                {%- endif %}
                score desc, product_id asc
        ) as diversified_position
    from scored
),

exploration as (
    select
        *,
        'exploration' as slot_kind,
        row_number() over (
            partition by cutoff_name, user_id order by md5(cutoff_name || user_id || product_id)
        ) as slot_position
    from diversified
    where diversified_position > {{ var('recs_k') - var('recs_exploration_slots') }}
    qualify slot_position <= {{ var('recs_exploration_slots') }}
),

exploited as (
    select
        *,
        'ranked' as slot_kind,
        diversified_position as slot_position
    from diversified
    where diversified_position <= {{ var('recs_k') - var('recs_exploration_slots') }}
),

listed as (
    select
        cutoff_name,
        user_id,
        product_id,
        score,
        case when slot_kind = 'exploration' then 'exploration' else retrieval_source end as retrieval_source,
        model_version,
        case when slot_kind = 'exploration' then 1 else 0 end as slot_group,
        slot_position
    from exploited
    union all
    select
        cutoff_name,
        user_id,
        product_id,
        score,
        'exploration' as retrieval_source,
        model_version,
        1 as slot_group,
        slot_position
    from exploration
),

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
            and popularity.popularity_rank <= {{ var('recs_k') * 3 }} + 50
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
        row_number() over (partition by cutoff_name, user_id order by slot_group, slot_position) as rank,
        product_id,
        score,
        retrieval_source,
        model_version
    from (
        select * from listed
        union all
        select * from fallback
    ) as all_slots
    qualify rank <= {{ var('recs_k') }}
)

select * from final
