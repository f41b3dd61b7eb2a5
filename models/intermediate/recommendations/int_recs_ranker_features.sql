-- Point-in-time features of every candidate: everything is computed from events strictly
-- before the row's cutoff (int_recs_user_history, int_recs_item_popularity are per cutoff),
-- so train rows (cutoff T1) never see the label window and eval rows never see the holdout.
-- label: the relevance grade in the window after the cutoff (train and eval; 0 when none,
-- null for serve).
with

candidates as (
    select * from {{ ref('int_recs_ranker_candidates') }}
),

popularity as (
    select * from {{ ref('int_recs_item_popularity') }}
),

history as (
    select * from {{ ref('int_recs_user_history') }}
),

labels as (
    select * from {{ ref('int_recs_ranker_labels') }}
),

users as (
    select
        history.cutoff_name,
        history.user_id,
        sum(history.interaction_count) as user_interaction_count,
        count(case when history.interaction_count > 0 then 1 end) as user_product_count,
        min(history.days_since_last_event) as user_days_since_last_event,
        sum(popularity.price * history.interaction_count) / nullif(sum(
            case when popularity.price is not null then history.interaction_count end
        ), 0) as user_mean_price
    from history
    inner join popularity on history.cutoff_name = popularity.cutoff_name and history.product_id = popularity.product_id
    group by history.cutoff_name, history.user_id
),

user_categories as (
    select
        cutoff_name,
        user_id,
        category_level_1,
        sum(interaction_count) as category_interactions
    from history
    group by cutoff_name, user_id, category_level_1
),

final as (
    select
        candidates.cutoff_name,
        candidates.user_id,
        candidates.product_id,
        candidates.retrieval_source,
        popularity.category_level_1,
        coalesce(candidates.covisitation_score, 0) as covisitation_score,
        coalesce(candidates.covisitation_rank, 999) as covisitation_rank,
        coalesce(candidates.content_score, 0) as content_score,
        coalesce(candidates.content_rank, 999) as content_rank,
        coalesce(candidates.history_score, 0) as history_score,
        coalesce(candidates.history_rank, 999) as history_rank,
        coalesce(candidates.popularity_score, 0) as popularity_score,
        coalesce(candidates.popularity_rank, 999) as popularity_source_rank,
        candidates.source_count,
        candidates.best_source_rank,
        popularity.decayed_popularity as item_decayed_popularity,
        popularity.user_share as item_user_share,
        popularity.interactions_7d as item_interactions_7d,
        popularity.interactions_30d as item_interactions_30d,
        popularity.purchase_count * 1.0 / greatest(popularity.interaction_count, 1) as item_purchase_rate,
        popularity.popularity_percentile as item_popularity_percentile,
        coalesce(popularity.days_since_last_interaction, 999) as item_days_since_last_interaction,
        cast(popularity.price as double) as item_price,
        coalesce(users.user_interaction_count, 0) as user_interaction_count,
        coalesce(users.user_product_count, 0) as user_product_count,
        coalesce(users.user_days_since_last_event, 999) as user_days_since_last_event,
        coalesce(user_categories.category_interactions, 0) * 1.0
        / greatest(coalesce(users.user_interaction_count, 0), 1) as user_category_share,
        cast(popularity.price / nullif(users.user_mean_price, 0) as double) as price_to_user_mean_price,
        coalesce(user_item.impression_count, 0) as user_item_impressions,
        coalesce(user_item.days_since_last_event, 999) as user_item_days_since_last_event,
        case when candidates.cutoff_name != 'serve' then coalesce(labels.relevance, 0) end as label  -- noqa: RF04
    from candidates
    inner join popularity
        on candidates.cutoff_name = popularity.cutoff_name and candidates.product_id = popularity.product_id
    left join users on candidates.cutoff_name = users.cutoff_name and candidates.user_id = users.user_id
    left join user_categories
        on
            candidates.cutoff_name = user_categories.cutoff_name
            and candidates.user_id = user_categories.user_id
            and popularity.category_level_1 = user_categories.category_level_1
    left join history as user_item
        on
            candidates.cutoff_name = user_item.cutoff_name
            and candidates.user_id = user_item.user_id
            and candidates.product_id = user_item.product_id
    left join labels
        on
            candidates.cutoff_name = labels.cutoff_name
            and candidates.user_id = labels.user_id
            and candidates.product_id = labels.product_id
)

select * from final
