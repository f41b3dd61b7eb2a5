-- The candidate set per cutoff and user: the union of the four retrieval sources, one row per
-- product with each source's score and rank (null when that source did not retrieve it),
-- capped at var recs_candidates_per_user by the best rank any source gave it. retrieval_source
-- is the source that ranked it best.
{% set source_names = ['covisitation', 'content', 'history', 'popularity'] %}

with

sources as (
    {%- for source_name in source_names %}
        select
            cutoff_name,
            user_id,
            product_id,
            source_score,
            source_rank,
            '{{ source_name }}' as source_name
        from {{ ref('int_recs_retrieval_' ~ source_name) }}
        {{ 'union all' if not loop.last }}
    {%- endfor %}
),

pivoted as (
    select
        cutoff_name,
        user_id,
        product_id,
        {%- for source_name in source_names %}
            max(case when source_name = '{{ source_name }}' then source_score end) as {{ source_name }}_score,
            min(case when source_name = '{{ source_name }}' then source_rank end) as {{ source_name }}_rank,
        {%- endfor %}
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
