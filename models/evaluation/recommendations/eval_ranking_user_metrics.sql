-- Per method and evaluated user: the ranking metrics of its top var recs_k list against the
-- user's relevant items after the eval cutoff (macros/metrics; README, evaluation protocol),
-- rounded to 6 decimals.
with

lists as (
    select * from {{ ref('int_recs_eval_lists') }}
),

relevant as (
    select
        user_id,
        product_id,
        relevance
    from {{ ref('int_recs_ranker_labels') }}
    where cutoff_name = 'eval'
),

item_popularity as (
    select * from {{ ref('int_recs_item_popularity') }}
    where cutoff_name = 'eval'
),

ndcg as ({{ ndcg_at_k('lists', 'relevant', number_var('recs_k')) }}
),

average_precision as ({{ map_at_k('lists', 'relevant', number_var('recs_k')) }}
),

recall as ({{ recall_at_k('lists', 'relevant', number_var('recs_k')) }}
),

precision_values as ({{ precision_at_k('lists', 'relevant', number_var('recs_k')) }}
),

reciprocal_rank as ({{ mrr('lists', 'relevant', number_var('recs_k')) }}
),

diversity as ({{ intra_list_diversity('lists', 'item_popularity', number_var('recs_k')) }}
),

novelty_values as ({{ novelty('lists', 'item_popularity', number_var('recs_k')) }}
),

popularity_values as ({{ popularity_bias('lists', 'item_popularity', number_var('recs_k')) }}
),

final as (
    select
        ndcg.method,
        ndcg.user_id,
        round(ndcg.ndcg, 6) as ndcg_at_k,
        round(average_precision.map, 6) as average_precision_at_k,
        round(recall.recall, 6) as recall_at_k,
        round(precision_values.precision, 6) as precision_at_k,
        round(reciprocal_rank.mrr, 6) as reciprocal_rank,
        round(diversity.intra_list_diversity, 6) as intra_list_diversity,
        round(novelty_values.novelty, 6) as novelty,
        round(popularity_values.popularity_bias, 6) as popularity_bias
    from ndcg
    inner join average_precision on ndcg.method = average_precision.method and ndcg.user_id = average_precision.user_id
    inner join recall on ndcg.method = recall.method and ndcg.user_id = recall.user_id
    inner join precision_values on ndcg.method = precision_values.method and ndcg.user_id = precision_values.user_id
    inner join reciprocal_rank on ndcg.method = reciprocal_rank.method and ndcg.user_id = reciprocal_rank.user_id
    left join diversity on ndcg.method = diversity.method and ndcg.user_id = diversity.user_id
    left join novelty_values on ndcg.method = novelty_values.method and ndcg.user_id = novelty_values.user_id
    left join popularity_values on ndcg.method = popularity_values.method and ndcg.user_id = popularity_values.user_id
)

select * from final
