-- What the ranker learns from: the candidate features of each user at each training cutoff
-- with at least one positive label there, of at most var recs_max_training_users users (a
-- fixed pseudo-random sample by md5 of user_id), so training memory stays bounded as the
-- data grows.
with

features as (
    select * from {{ ref('int_recs_ranker_features') }}
    where cutoff_name in {{ recs_sql_list(recs_training_cutoff_names()) }}
),

labelled_queries as (
    select
        cutoff_name,
        user_id,
        dense_rank() over (order by {{ dbt.hash('user_id') }}, user_id) as sample_order
    from features
    group by cutoff_name, user_id
    having max(label) > 0
),

final as (
    select features.*
    from features
    inner join labelled_queries
        on features.cutoff_name = labelled_queries.cutoff_name and features.user_id = labelled_queries.user_id
    where labelled_queries.sample_order <= {{ number_var('recs_max_training_users') }}
)

select * from final
