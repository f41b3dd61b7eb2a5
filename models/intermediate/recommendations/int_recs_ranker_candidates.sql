-- The candidate set per cutoff and user: the union of the four retrieval sources, one row per
-- product with each source's score and rank (null when that source did not retrieve it),
-- capped at var recs_candidates_per_user by the best rank any source gave it. retrieval_source
-- is the source that ranked it best.
with

sources as (
    select
        cutoff_name,
        user_id,
        product_id,
        source_score,
        source_rank,
        'covisitation' as source_name
    from {{ ref('int_recs_retrieval_covisitation') }}
    union all
    select
        cutoff_name,
        user_id,
        product_id,
        source_score,
        source_rank,
        'content' as source_name
    from {{ ref('int_recs_retrieval_content') }}
    union all
    select
        cutoff_name,
        user_id,
        product_id,
        source_score,
        source_rank,
        'history' as source_name
    from {{ ref('int_recs_retrieval_history') }}
    union all
    select
        cutoff_name,
        user_id,
        product_id,
        source_score,
        source_rank,
        'popularity' as source_name
    from {{ ref('int_recs_retrieval_popularity') }}
),

pivoted as (
    select
        cutoff_name,
        user_id,
        product_id,
        max(case when source_name = 'covisitation' then source_score end) as covisitation_score,
        min(case when source_name = 'covisitation' then source_rank end) as covisitation_rank,
        max(case when source_name = 'content' then source_score end) as content_score,
        min(case when source_name = 'content' then source_rank end) as content_rank,
        max(case when source_name = 'history' then source_score end) as history_score,
        min(case when source_name = 'history' then source_rank end) as history_rank,
        max(case when source_name = 'popularity' then source_score end) as popularity_score,
        min(case when source_name = 'popularity' then source_rank end) as popularity_rank,
        count(*) as source_count,
        min(source_rank) as best_source_rank
    from sources
    group by cutoff_name, user_id, product_id
),

final as (
    select
        *,
        case best_source_rank
            when covisitation_rank then 'covisitation'
            when content_rank then 'content'
            when history_rank then 'history'
            else 'popularity'
        end as retrieval_source
    from pivoted
    qualify row_number() over (
        partition by cutoff_name, user_id order by best_source_rank asc, source_count desc, product_id asc
    ) <= {{ var('recs_candidates_per_user') }}
)

select * from final
