-- Served recommendations: the top var recs_k per known user from all clean events (serve
-- cutoff), after re-ranking (int_recs_reranked). user_id is the salted pseudonym (macro
-- pseudonymise): the serving service hashes its user's id with the same salt to find the list.
with

reranked as (
    select * from {{ ref('int_recs_reranked') }}
    where cutoff_name = 'serve'
),

final as (
    select
        cast({{ pseudonymise('user_id') }} as varchar) as user_id,
        cast(rank as integer) as rank,
        cast(product_id as varchar) as product_id,
        cast(score as double) as score,
        cast(retrieval_source as varchar) as retrieval_source,
        cast(model_version as varchar) as model_version,
        cast({{ dbt.current_timestamp() }} as timestamp) as generated_at
    from reranked
)

select * from final
