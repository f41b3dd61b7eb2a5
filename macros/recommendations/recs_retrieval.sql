{#-
    The end of every retrieval source: from the CTE `scored` (cutoff_name, user_id,
    product_id, source_score), drop what the user has seen (needs a CTE `history` over
    int_recs_user_history) and keep the best var recs_candidates_per_source per user
    with their source_rank. Emits the CTEs `unseen` and `final`.
-#}
{% macro recs_unseen_top(scored) %}
unseen as (
    select {{ scored }}.*
    from {{ scored }}
    left join history
        on
            {{ scored }}.cutoff_name = history.cutoff_name
            and {{ scored }}.user_id = history.user_id
            and {{ scored }}.product_id = history.product_id
            and history.is_seen
    where history.product_id is null
),

final as (
    select
        *,
        row_number() over (partition by cutoff_name, user_id order by source_score desc, product_id asc) as source_rank
    from unseen
    qualify source_rank <= {{ number_var('recs_candidates_per_source') }}
)
{% endmacro %}


{#-
    Item-to-item retrieval: neighbours (model `neighbours_model`: product_id,
    related_product_id, `score_column`) of the user's `anchors` most recent interacted
    products before the cutoff, scored by the sum of neighbour score x the anchor's weight:
    its recency decay in days (anchor_weight='recency'), or 1/2 per step back from the
    latest interaction (anchor_weight='position': what comes next follows the last item).
    `per_cutoff`: the neighbour table has a cutoff_name to match.
-#}
{% macro recs_neighbour_retrieval(neighbours_model, score_column, per_cutoff, anchor_weight='recency', anchors=10) %}
with

target_users as (
    select * from {{ ref('int_recs_target_users') }}
),

history as (
    select * from {{ ref('int_recs_user_history') }}
),

neighbours as (
    select * from {{ ref(neighbours_model) }}
),

recent as (
    select
        history.cutoff_name,
        history.user_id,
        history.product_id,
        history.days_since_last_event,
        row_number() over (
            partition by history.cutoff_name, history.user_id
            order by history.last_event_at desc, history.product_id asc
        ) as anchor_position
    from history
    inner join target_users
        on history.cutoff_name = target_users.cutoff_name and history.user_id = target_users.user_id
    where history.interaction_count > 0
    qualify anchor_position <= {{ anchors }}
),

anchors as (
    select
        cutoff_name,
        user_id,
        product_id,
        {%- if anchor_weight == 'position' %}
            power(0.5, anchor_position - 1) as anchor_weight
        {%- else %}
            {{ recs_decay('days_since_last_event') }} as anchor_weight
        {%- endif %}
    from recent
),

scored as (
    select
        anchors.cutoff_name,
        anchors.user_id,
        neighbours.related_product_id as product_id,
        {{ deterministic_sum('neighbours.' ~ score_column ~ ' * anchors.anchor_weight') }} as source_score
    from anchors
    inner join neighbours
        on
            anchors.product_id = neighbours.product_id
            {%- if per_cutoff %}
            and anchors.cutoff_name = neighbours.cutoff_name
            {%- endif %}
    group by anchors.cutoff_name, anchors.user_id, neighbours.related_product_id
),

{{ recs_unseen_top('scored') }}

select * from final
{% endmacro %}
