-- What re-ranking may cost: every re-ranking setting (macro recs_rerank_settings: category cap
-- and exploration slot, each on or off) applied at the train cutoff to the ranker's held-out
-- users (var recs_holdout_user_share of them, by macro recs_user_fraction: never trained on)
-- and scored by NDCG@K against their labels. The chosen setting is the most diverse one whose
-- loss against no re-ranking is at most var recs_rerank_max_ndcg_loss; int_recs_reranked
-- serves with it. The eval holdout is never read.
{%- set settings = recs_rerank_settings() %}

with

settings as (
    {%- for setting in settings %}
        select
            '{{ setting.name }}' as setting_name,
            {{ loop.index }} as preference,
            {{ setting.category_cap }} as category_cap,
            {{ setting.exploration_slots }} as exploration_slots
        {{ 'union all' if not loop.last }}
    {%- endfor %}
),

features as (
    select * from {{ ref('int_recs_ranker_features') }}
    where cutoff_name = 'train' and {{ recs_user_fraction('user_id') }} < {{ number_var('recs_holdout_user_share') }}
),

scores as (
    select * from {{ ref('ml_ranker_scores') }}
    where cutoff_name = 'train'
),

relevant as (
    select labels.*
    from {{ ref('int_recs_ranker_labels') }} as labels
    where
        labels.cutoff_name = 'train'
        and labels.user_id in (select features.user_id from features)
),

{{ recs_rerank('features', 'scores', 'settings') }},

lists as (
    select
        setting_name as method,  -- noqa: RF04
        user_id,
        row_number() over (partition by setting_name, user_id order by slot_group, slot_position, product_id) as rank,
        product_id
    from listed
    qualify rank <= {{ number_var('recs_k') }}
),

ndcg as (
    {{ ndcg_at_k('lists', 'relevant', number_var('recs_k')) }}
),

per_setting as (
    select
        ndcg.method as setting_name,
        count(*) as evaluated_users,
        round({{ deterministic_avg('ndcg.ndcg') }}, 6) as ndcg_at_k
    from ndcg
    group by ndcg.method
),

compared as (
    select
        settings.setting_name,
        settings.preference,
        settings.category_cap,
        settings.exploration_slots,
        coalesce(per_setting.evaluated_users, 0) as evaluated_users,
        per_setting.ndcg_at_k,
        round(
            max(case when settings.setting_name = 'none' then per_setting.ndcg_at_k end) over ()
            - per_setting.ndcg_at_k, 6
        ) as ndcg_loss
    from settings
    left join per_setting on settings.setting_name = per_setting.setting_name
),

final as (
    select
        *,
        setting_name = first_value(setting_name) over (
            order by
                case when coalesce(ndcg_loss, 0) <= {{ number_var('recs_rerank_max_ndcg_loss') }} then 0 else 1 end,
                preference
        ) as is_chosen
    from compared
)

select * from final
