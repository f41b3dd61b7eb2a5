{#-
    Offline ranking metrics. Every macro renders one select statement (no WITH, so it can
    sit in a CTE on any engine) with one row per partition (for example method) and user.

    Arguments shared by all of them:
    - lists: relation or CTE with the partition columns, user_id, rank (1-based) and product_id;
    - relevant: relation or CTE with user_id, product_id and relevance (graded, > 0 = relevant),
      one row per user and product; the users evaluated are its users with relevance > 0, and
      a user whose list is empty or missing scores 0;
    - k: the cut-off; partition_by: list of partition column names (default ['method']).

    Definitions (README, evaluation protocol):
    - ndcg_at_k: DCG@K / ideal DCG@K with linear gain, DCG = sum of relevance / log2(rank + 1)
      (as sklearn.metrics.ndcg_score);
    - map_at_k: sum over relevant ranks r <= K of precision@r, divided by min(#relevant, K);
    - recall_at_k: relevant items in the top K / all relevant items of the user;
    - precision_at_k: relevant items in the top K / K;
    - mrr: 1 / rank of the first relevant item in the top K, 0 when none (MRR@K).
-#}
{% macro ranking_metric(metric, lists, relevant, k, partition_by=['method']) -%}
    {%- set expressions = {
        'ndcg': 'coalesce(hits.dcg, 0) / frame.idcg',
        'map': 'coalesce(hits.precision_sum, 0) / least(frame.n_relevant, ' ~ k ~ ')',
        'recall': 'coalesce(hits.hit_count, 0) * 1.0 / frame.n_relevant',
        'precision': 'coalesce(hits.hit_count, 0) * 1.0 / ' ~ k,
        'mrr': 'coalesce(1.0 / hits.first_hit_rank, 0)',
    } -%}
    {%- if metric not in expressions -%}
        {{ exceptions.raise_compiler_error("ranking_metric: unknown metric '" ~ metric ~ "'") }}
    {%- endif -%}
    select
        {%- for column in partition_by %}
        frame.{{ column }},
        {%- endfor %}
        frame.user_id,
        {{ expressions[metric] }} as {{ metric }}
    from (
        select
            {%- for column in partition_by %}
            parts.{{ column }},
            {%- endfor %}
            users.user_id,
            users.n_relevant,
            users.idcg
        from (select distinct {{ partition_by | join(', ') }} from {{ lists }}) as parts
        cross join (
            select
                user_id,
                count(*) as n_relevant,
                {{ deterministic_sum(
                    'case when ideal_rank <= ' ~ k ~ ' then relevance / (ln(ideal_rank + 1) / ln(2)) else 0 end'
                ) }} as idcg
            from (
                select
                    user_id,
                    relevance,
                    row_number() over (partition by user_id order by relevance desc, product_id) as ideal_rank
                from {{ relevant }}
                where relevance > 0
            ) as ideal
            group by user_id
        ) as users
    ) as frame
    left join (
        select
            {%- for column in partition_by %}
            {{ column }},
            {%- endfor %}
            user_id,
            count(*) as hit_count,
            {{ deterministic_sum('relevance / (ln(rank + 1) / ln(2))') }} as dcg,
            min(rank) as first_hit_rank,
            {{ deterministic_sum('hit_number * 1.0 / rank') }} as precision_sum
        from (
            select
                {%- for column in partition_by %}
                listed.{{ column }},
                {%- endfor %}
                listed.user_id,
                listed.rank,
                judged.relevance,
                row_number() over (
                    partition by {% for column in partition_by %}listed.{{ column }}, {% endfor %}listed.user_id
                    order by listed.rank
                ) as hit_number
            from {{ lists }} as listed
            inner join {{ relevant }} as judged
                on listed.user_id = judged.user_id and listed.product_id = judged.product_id
            where listed.rank <= {{ k }} and judged.relevance > 0
        ) as hit_rows
        group by {% for column in partition_by %}{{ column }}, {% endfor %}user_id
    ) as hits
        on {% for column in partition_by %}frame.{{ column }} = hits.{{ column }} and {% endfor %}frame.user_id = hits.user_id
{%- endmacro %}

{% macro ndcg_at_k(lists, relevant, k, partition_by=['method']) -%}
    {{ ranking_metric('ndcg', lists, relevant, k, partition_by) }}
{%- endmacro %}

{% macro map_at_k(lists, relevant, k, partition_by=['method']) -%}
    {{ ranking_metric('map', lists, relevant, k, partition_by) }}
{%- endmacro %}

{% macro recall_at_k(lists, relevant, k, partition_by=['method']) -%}
    {{ ranking_metric('recall', lists, relevant, k, partition_by) }}
{%- endmacro %}

{% macro precision_at_k(lists, relevant, k, partition_by=['method']) -%}
    {{ ranking_metric('precision', lists, relevant, k, partition_by) }}
{%- endmacro %}

{% macro mrr(lists, relevant, k, partition_by=['method']) -%}
    {{ ranking_metric('mrr', lists, relevant, k, partition_by) }}
{%- endmacro %}

{#-
    Beyond-accuracy metrics, per partition and user over the top K of each list.
    - intra_list_diversity: share of item pairs in the list whose `category_column` differs,
      1 - sum_c n_c (n_c - 1) / (n (n - 1)); null for lists of fewer than two items.
      `items` has product_id and the category column.
    - novelty: mean self-information -log2(p) of the listed items, p = `share_column` of
      `item_popularity` (share of training users who interacted with the item, smoothed so
      it is never 0; every listed item must be there).
    - popularity_bias: mean `percentile_column` of the listed items (0 = least, 1 = most
      popular before the cutoff): the average recommendation popularity, as a percentile.
-#}
{% macro intra_list_diversity(lists, items, k, partition_by=['method'], category_column='category_level_1') -%}
    select
        {%- for column in partition_by %}
        {{ column }},
        {%- endfor %}
        user_id,
        case
            when sum(category_items) >= 2
                then 1.0 - sum(category_items * (category_items - 1)) * 1.0
                / (sum(category_items) * (sum(category_items) - 1))
        end as intra_list_diversity
    from (
        select
            {%- for column in partition_by %}
            listed.{{ column }},
            {%- endfor %}
            listed.user_id,
            coalesce(catalog.{{ category_column }}, 'unknown') as category,
            count(*) as category_items
        from {{ lists }} as listed
        left join {{ items }} as catalog on listed.product_id = catalog.product_id
        where listed.rank <= {{ k }}
        group by {% for column in partition_by %}listed.{{ column }}, {% endfor %}listed.user_id,
            coalesce(catalog.{{ category_column }}, 'unknown')
    ) as per_category
    group by {% for column in partition_by %}{{ column }}, {% endfor %}user_id
{%- endmacro %}

{% macro novelty(lists, item_popularity, k, partition_by=['method'], share_column='user_share') -%}
    select
        {%- for column in partition_by %}
        listed.{{ column }},
        {%- endfor %}
        listed.user_id,
        {{ deterministic_avg('-ln(popularity.' ~ share_column ~ ') / ln(2)') }} as novelty
    from {{ lists }} as listed
    inner join {{ item_popularity }} as popularity on listed.product_id = popularity.product_id
    where listed.rank <= {{ k }}
    group by {% for column in partition_by %}listed.{{ column }}, {% endfor %}listed.user_id
{%- endmacro %}

{% macro popularity_bias(lists, item_popularity, k, partition_by=['method'], percentile_column='popularity_percentile') -%}
    select
        {%- for column in partition_by %}
        listed.{{ column }},
        {%- endfor %}
        listed.user_id,
        {{ deterministic_avg('popularity.' ~ percentile_column) }} as popularity_bias
    from {{ lists }} as listed
    inner join {{ item_popularity }} as popularity on listed.product_id = popularity.product_id
    where listed.rank <= {{ k }}
    group by {% for column in partition_by %}listed.{{ column }}, {% endfor %}listed.user_id
{%- endmacro %}

{#- Catalog coverage per partition: distinct products in the top K of all lists / catalog size. -#}
{% macro catalog_coverage(lists, catalog, k, partition_by=['method']) -%}
    select
        {%- for column in partition_by %}
        {{ column }},
        {%- endfor %}
        count(distinct product_id) * 1.0 / (select count(*) from {{ catalog }}) as catalog_coverage
    from {{ lists }}
    where rank <= {{ k }}
    group by {{ partition_by | join(', ') }}
{%- endmacro %}
