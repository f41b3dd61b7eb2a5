-- Point-in-time features of every candidate: everything is computed from events strictly
-- before the row's cutoff (int_recs_user_history, int_recs_item_popularity are per cutoff),
-- so train rows (cutoff T1) never see the label window and eval rows never see the holdout.
-- Features that change scale between cutoffs (raw source scores, raw popularity counts)
-- enter relative to the user's own candidates (score / the user's best), so a model trained at
-- one cutoff reads another the same way. One score and one rank per retrieval source (macro
-- recs_retrieval_sources); a source that did not retrieve the item has relative score 0 and
-- rank var recs_candidates_per_source + 1. Every column but the keys (cutoff_name, user_id,
-- product_id, retrieval_source, category_level_1) and label is a ranker feature.
-- label: the relevance grade in the window after the cutoff (train and eval; 0 when none,
-- null for serve).
{%- set source_names = recs_retrieval_sources() %}
{%- set not_retrieved_rank = number_var('recs_candidates_per_source') + 1 %}

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
        {{ deterministic_sum('popularity.price * history.interaction_count') }} / nullif(sum(
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
        {%- for source_name in source_names %}
            round(
                coalesce(
                    candidates.{{ source_name }}_score
                    / nullif(max(candidates.{{ source_name }}_score) over (
                        partition by candidates.cutoff_name, candidates.user_id
                    ), 0),
                    0
                ), 6
            ) as {{ source_name }}_relative_score,
            coalesce(candidates.{{ source_name }}_rank, {{ not_retrieved_rank }}) as {{ source_name }}_rank,
        {%- endfor %}
        candidates.source_count,
        candidates.best_source_rank,
        candidates.best_slot_rank,
        round(
            coalesce(
                popularity.decayed_popularity
                / nullif(max(popularity.decayed_popularity) over (
                    partition by candidates.cutoff_name, candidates.user_id
                ), 0),
                0
            ), 6
        ) as item_relative_popularity,
        popularity.user_share as item_user_share,
        round(popularity.interactions_7d * 1.0 / nullif(popularity.interactions_30d, 0), 6) as item_trend,
        popularity.purchase_count * 1.0 / greatest(popularity.interaction_count, 1) as item_purchase_rate,
        popularity.popularity_percentile as item_popularity_percentile,
        round(percent_rank() over (
            partition by candidates.cutoff_name, candidates.user_id
            order by coalesce(popularity.days_since_last_interaction, 999) asc
        ), 6) as item_recency_rank,
        cast(popularity.price as double) as item_price,
        coalesce(users.user_interaction_count, 0) as user_interaction_count,
        coalesce(users.user_product_count, 0) as user_product_count,
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
