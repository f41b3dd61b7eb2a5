-- What the ranker learns from: the train cutoff's candidate features of users with at least
-- one positive label, at most var recs_max_training_users of them (a fixed pseudo-random
-- sample by md5 of user_id), so training memory stays bounded as the data grows.
with

features as (
    select * from {{ ref('int_recs_ranker_features') }}
    where cutoff_name = 'train'
),

labelled_users as (
    select
        user_id,
        dense_rank() over (order by {{ dbt.hash('user_id') }}, user_id) as sample_order
    from features
    group by user_id
    having max(label) > 0
),

final as (
    select features.*
    from features
    inner join labelled_users on features.user_id = labelled_users.user_id
    where labelled_users.sample_order <= {{ var('recs_max_training_users') }}
)

select * from final
