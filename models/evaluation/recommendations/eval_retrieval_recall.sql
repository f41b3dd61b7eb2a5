-- Recall of each retrieval source (macro recs_retrieval_sources), and of the capped candidate
-- set, on the holdout: the share of evaluated users' relevant items (after the eval cutoff)
-- that the source retrieved from events before the eval cutoff, with the mean number of
-- candidates per user.
with

target_users as (
    select * from {{ ref('int_recs_target_users') }}
    where cutoff_name = 'eval'
),

relevant as (
    select * from {{ ref('int_recs_ranker_labels') }}
    where cutoff_name = 'eval'
),

candidates as (
    select * from {{ ref('int_recs_ranker_candidates') }}
    where cutoff_name = 'eval'
),

retrieved as (
    select
        user_id,
        product_id,
        source_name
    from ({{ recs_retrieved('eval') }}) as sources
    union all
    select
        user_id,
        product_id,
        'all_candidates' as source_name
    from candidates
),

evaluated as (
    select retrieved.*
    from retrieved
    inner join target_users on retrieved.user_id = target_users.user_id
),

relevant_total as (
    select count(*) as relevant_items
    from relevant
    inner join target_users on relevant.user_id = target_users.user_id
),

final as (
    select
        evaluated.source_name,
        count(distinct evaluated.user_id) as users_with_candidates,
        count(*) * 1.0 / (select count(*) from target_users) as candidates_per_user,
        count(relevant.product_id) as relevant_retrieved,
        max(relevant_total.relevant_items) as relevant_items,
        count(relevant.product_id) * 1.0 / nullif(max(relevant_total.relevant_items), 0) as recall
    from evaluated
    cross join relevant_total
    left join relevant on evaluated.user_id = relevant.user_id and evaluated.product_id = relevant.product_id
    group by evaluated.source_name
)

select * from final
