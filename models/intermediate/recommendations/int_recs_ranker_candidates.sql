-- The candidate set per cutoff and user: the union of the retrieval sources (macro
-- recs_retrieval_sources), one row per product with each source's score and rank (null when
-- that source did not retrieve it), capped at var recs_candidates_per_user. Sources share the
-- slots by their measured worth (int_recs_source_shares): a candidate's slot rank is its rank
-- in a source / that source's share, so a source with twice the share fills twice the slots;
-- the candidates with the best slot ranks are kept. retrieval_source is the source that gave
-- the best slot rank.
{%- set source_names = recs_retrieval_sources() %}

with

shares as (
    select * from {{ ref('int_recs_source_shares') }}
),

sources as (
    {{ recs_retrieved() }}
),

slotted as (
    select
        sources.*,
        round(sources.source_rank / shares.slot_share, 6) as slot_rank
    from sources
    inner join shares on sources.source_name = shares.source_name
),

preferred as (
    select
        *,
        row_number() over (
            partition by cutoff_name, user_id, product_id order by slot_rank asc, source_precedence asc
        ) as source_preference
    from slotted
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
        min(source_rank) as best_source_rank,
        min(slot_rank) as best_slot_rank,
        max(case when source_preference = 1 then source_name end) as retrieval_source
    from preferred
    group by cutoff_name, user_id, product_id
),

final as (
    select *
    from pivoted
    qualify row_number() over (
        partition by cutoff_name, user_id order by best_slot_rank asc, source_count desc, product_id asc
    ) <= {{ number_var('recs_candidates_per_user') }}
)

select * from final
