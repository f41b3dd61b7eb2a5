-- Fails on a method in eval_ranking_metrics that is neither the ranker (served or before
-- re-ranking), global popularity nor one retrieval source alone (macro recs_retrieval_sources).
-- (A source that retrieved nothing, say history on a purchases-only log, has no row.)
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
    select found.method
    from found
    left join expected on found.method = expected.method
    where expected.method is null
)

select * from final
