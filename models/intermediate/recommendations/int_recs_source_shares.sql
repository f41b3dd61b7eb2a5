-- How many of the var recs_candidates_per_user candidate slots each retrieval source gets: its
-- share of the relevant items that the sources retrieved at the train cutoff (labels of the
-- window before the eval cutoff, so the eval holdout is never read), at least var
-- recs_min_source_share each so a source can still show its worth; equal shares when nothing
-- was retrieved. int_recs_ranker_candidates interleaves the sources by these shares.
{%- set source_names = recs_retrieval_sources() %}

with

sources as (
    {{ recs_retrieved('train') }}
),

source_names as (
    {%- for source_name in source_names %}
        select '{{ source_name }}' as source_name
        {{ 'union all' if not loop.last }}
    {%- endfor %}
),

labels as (
    select * from {{ ref('int_recs_ranker_labels') }}
    where cutoff_name = 'train'
),

hits as (
    select
        source_names.source_name,
        count(labels.product_id) as train_hits
    from source_names
    left join sources on source_names.source_name = sources.source_name
    left join labels on sources.user_id = labels.user_id and sources.product_id = labels.product_id
    group by source_names.source_name
),

final as (
    select
        source_name,
        train_hits,
        greatest(
            coalesce(train_hits * 1.0 / nullif(sum(train_hits) over (), 0), 1.0 / {{ source_names | length }}),
            {{ number_var('recs_min_source_share') }}
        ) as slot_share
    from hits
)

select * from final
