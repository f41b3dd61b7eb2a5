-- Fails on a method in eval_ranking_metrics that is neither the ranker (served or before
-- re-ranking), global popularity nor one retrieval source alone (macro recs_retrieval_sources),
-- and on a retrieval source without its baseline row.
{%- set methods = ['ranker', 'ranker_before_reranking', 'popularity'] %}
{%- for source_name in recs_retrieval_sources() %}
    {%- do methods.append('source_' ~ source_name) %}
{%- endfor %}

with

found as (
    select distinct method from {{ ref('eval_ranking_metrics') }}
),

expected as (
    {%- for method in methods %}
        select '{{ method }}' as method  -- noqa: RF04
        {{ 'union all' if not loop.last }}
    {%- endfor %}
),

final as (
    select
        coalesce(found.method, expected.method) as method,  -- noqa: RF04
        case when expected.method is null then 'unknown method' else 'no baseline row' end as problem
    from found
    full outer join expected on found.method = expected.method
    where
        expected.method is null
        or (found.method is null and expected.method like 'source_%')
)

select * from final
