{#-
    Re-ranking of the ranker's order, as CTEs ending in `listed` (cutoff_name, setting_name,
    user_id, product_id, score, retrieval_source, model_version, slot_group, slot_position):
    the candidates of the CTE `features` (int_recs_ranker_features rows) with their score in
    the CTE `scores` (ml_ranker_scores rows), under every setting of the CTE `settings`
    (setting_name, category_cap, exploration_slots):
    1. diversity: at most category_cap items of one top-level category before any item over
       the cap (0 = off);
    2. exploration: the last exploration_slots places of the top var recs_k go to candidates
       outside the top, picked by a deterministic hash of cutoff, user and product.
-#}
{% macro recs_rerank(features, scores, settings) %}
scored as (
    select
        {{ features }}.cutoff_name,
        {{ settings }}.setting_name,
        {{ settings }}.category_cap,
        {{ settings }}.exploration_slots,
        {{ features }}.user_id,
        {{ features }}.product_id,
        {{ features }}.category_level_1,
        {{ features }}.retrieval_source,
        {{ scores }}.ranker_score as score,
        {{ scores }}.model_version
    from {{ features }}
    inner join {{ scores }}
        on
            {{ features }}.cutoff_name = {{ scores }}.cutoff_name
            and {{ features }}.user_id = {{ scores }}.user_id
            and {{ features }}.product_id = {{ scores }}.product_id
    cross join {{ settings }}
),

category_positions as (
    select
        *,
        row_number() over (
            partition by cutoff_name, setting_name, user_id, category_level_1
            order by score desc, product_id asc
        ) as category_position
    from scored
),

diversified as (
    select
        *,
        row_number() over (
            partition by cutoff_name, setting_name, user_id
            order by
                case when category_cap > 0 and category_position > category_cap then 1 else 0 end,
                score desc,
                product_id asc
        ) as diversified_position
    from category_positions
),

exploration as (
    select
        *,
        row_number() over (
            partition by cutoff_name, setting_name, user_id
            order by md5(cutoff_name || user_id || product_id), product_id
        ) as slot_position
    from diversified
    where diversified_position > {{ number_var('recs_k') }} - exploration_slots
    qualify slot_position <= exploration_slots
),

listed as (
    select
        cutoff_name,
        setting_name,
        user_id,
        product_id,
        score,
        retrieval_source,
        model_version,
        0 as slot_group,
        diversified_position as slot_position
    from diversified
    where diversified_position <= {{ number_var('recs_k') }} - exploration_slots
    union all
    select
        cutoff_name,
        setting_name,
        user_id,
        product_id,
        score,
        'exploration' as retrieval_source,
        model_version,
        1 as slot_group,
        slot_position
    from exploration
)
{% endmacro %}


{#- The re-ranking settings tried, most diverse first: name, category cap, exploration slots. -#}
{% macro recs_rerank_settings() %}
    {%- set cap, slots = number_var('recs_category_cap') | int, number_var('recs_exploration_slots') | int -%}
    {{ return([
        {'name': 'cap_and_exploration', 'category_cap': cap, 'exploration_slots': slots},
        {'name': 'cap_only', 'category_cap': cap, 'exploration_slots': 0},
        {'name': 'exploration_only', 'category_cap': 0, 'exploration_slots': slots},
        {'name': 'none', 'category_cap': 0, 'exploration_slots': 0},
    ]) }}
{% endmacro %}
