-- Retrieval by popularity before the cutoff: the most popular products overall and within
-- the user's two favourite top-level categories (by interactions). The cold-start source:
-- a user without history gets the overall list. Score: time-decayed popularity relative to
-- the most popular product, times the user's share of interactions in the category for the
-- category lists; items the user has seen are skipped; the best var recs_candidates_per_source.
with

target_users as (
    select * from {{ ref('int_recs_target_users') }}
),

history as (
    select * from {{ ref('int_recs_user_history') }}
),

popularity as (
    select
        *,
        decayed_popularity / nullif(max(decayed_popularity) over (partition by cutoff_name), 0) as relative_popularity
    from {{ ref('int_recs_item_popularity') }}
),

favourite_categories as (
    select
        cutoff_name,
        user_id,
        category_level_1,
        sum(interaction_count) * 1.0 / sum(sum(interaction_count)) over (partition by cutoff_name, user_id)
            as category_share
    from history
    where interaction_count > 0
    group by cutoff_name, user_id, category_level_1
    qualify row_number() over (
        partition by cutoff_name, user_id order by sum(interaction_count) desc, category_level_1
    ) <= 2
),

overall as (
    select
        target_users.cutoff_name,
        target_users.user_id,
        popularity.product_id,
        coalesce(popularity.relative_popularity, 0) as source_score
    from target_users
    inner join popularity on target_users.cutoff_name = popularity.cutoff_name
    where popularity.popularity_rank <= {{ number_var('recs_candidates_per_source') }}
),

in_category as (
    select
        target_users.cutoff_name,
        target_users.user_id,
        popularity.product_id,
        coalesce(popularity.relative_popularity, 0) * favourite_categories.category_share as source_score
    from target_users
    inner join favourite_categories
        on
            target_users.cutoff_name = favourite_categories.cutoff_name
            and target_users.user_id = favourite_categories.user_id
    inner join popularity
        on
            favourite_categories.cutoff_name = popularity.cutoff_name
            and favourite_categories.category_level_1 = popularity.category_level_1
    where popularity.category_popularity_rank <= {{ number_var('recs_candidates_per_source') }}
),

combined as (
    select
        cutoff_name,
        user_id,
        product_id,
        max(source_score) as source_score
    from (
        select * from overall
        union all
        select * from in_category
    ) as both_lists
    group by cutoff_name, user_id, product_id
),

{{ recs_unseen_top('combined') }}

select * from final
