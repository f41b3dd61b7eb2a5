-- Blocking quality: pair completeness (share of labelled matches, and in demo mode of true
-- matches, that blocking keeps), reduction ratio (1 - candidate pairs / (offers x
-- products)) and candidate pairs per offer.
with

candidates as (
    select * from {{ ref('int_catalog_candidates') }}
),

sizes as (
    select
        (select count(*) from {{ ref('stg_offers') }}) as offer_count,
        (select count(*) from {{ ref('stg_products') }}) as product_count,
        (select count(*) from candidates) as candidate_pairs
),

labelled_matches as (
    select
        count(*) as matches,
        count(candidates.offer_id) as kept
    from {{ ref('stg_match_labels') }} as labels
    left join candidates
        on labels.offer_id = candidates.offer_id and labels.product_id = candidates.product_id
    where labels.is_match
),

{% if var('raw_source') == 'demo' %}
    true_matches as (
        select
            count(*) as matches,
            count(candidates.offer_id) as kept
        from {{ ref('demo_truth_offers') }} as truth
        inner join {{ ref('stg_offers') }} as offers on truth.offer_id = offers.offer_id
        left join candidates
            on truth.offer_id = candidates.offer_id and truth.true_product_id = candidates.product_id
        where truth.true_product_id is not null
    ),
{% endif %}

final as (
    select
        sizes.offer_count,
        sizes.product_count,
        sizes.candidate_pairs,
        sizes.candidate_pairs * 1.0 / nullif(sizes.offer_count, 0) as pairs_per_offer,
        1.0 - sizes.candidate_pairs * 1.0 / nullif(sizes.offer_count * sizes.product_count, 0) as reduction_ratio,
        labelled_matches.matches as labelled_matches,
        labelled_matches.kept * 1.0 / nullif(labelled_matches.matches, 0) as labelled_pair_completeness,
        {%- if var('raw_source') == 'demo' %}
            true_matches.matches as true_matches,
            true_matches.kept * 1.0 / nullif(true_matches.matches, 0) as true_pair_completeness
        {%- else %}
        cast(null as {{ dbt.type_bigint() }}) as true_matches,
        cast(null as {{ dbt.type_float() }}) as true_pair_completeness
        {%- endif %}
    from sizes
    cross join labelled_matches
    {%- if var('raw_source') == 'demo' %}
        cross join true_matches
    {%- endif %}
)

select * from final
