{#-
    Time-decay weight of something `age_days` old: 1 now, 1/2 after one half-life
    (var recs_covisitation_half_life_days). exp and ln mean the same on both engines.
-#}
{% macro recs_decay(age_days) -%}
    exp(-0.6931471805599453 * greatest({{ age_days }}, 0) / {{ number_var('recs_covisitation_half_life_days') }})
{%- endmacro %}

{#- A Jinja list of strings as a SQL list: ('click', 'purchase'). -#}
{% macro recs_sql_list(values) -%}
    ({% for value in values %}{{ sql_string(value) }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}

{#- Graded relevance of an event type: purchase 3, add_to_cart 2, other relevant types 1, else 0. -#}
{% macro recs_relevance_grade(event_type) -%}
    case
        when {{ event_type }} not in {{ recs_sql_list(var('recs_relevant_event_types')) }} then 0
        when {{ event_type }} = 'purchase' then 3
        when {{ event_type }} = 'add_to_cart' then 2
        else 1
    end
{%- endmacro %}

{#-
    The training cutoffs' names, latest first: 'train', 'train_2', ... (var
    recs_training_cutoffs of them; int_recs_cutoffs places them one label window apart).
    catalog_ml.ranking reads every cutoff named train* as training rows.
-#}
{% macro recs_training_cutoff_names() %}
    {%- set names = [] %}
    {%- for position in range(1, number_var('recs_training_cutoffs') + 1) %}
        {%- do names.append('train' if position == 1 else 'train_' ~ position) %}
    {%- endfor %}
    {{ return(names) }}
{% endmacro %}

{#-
    The retrieval sources (var recs_retrieval_sources), in order of precedence for a
    candidate's retrieval_source, each checked to be a lower-case name: it becomes column
    names (<name>_score, <name>_rank, ...) and the model name int_recs_retrieval_<name>.
-#}
{% macro recs_retrieval_sources() %}
    {%- set names = var('recs_retrieval_sources') -%}
    {%- if names is string or names | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "var recs_retrieval_sources must be a non-empty list of source names, got " ~ names) }}
    {%- endif -%}
    {%- for name in names if not modules.re.fullmatch('[a-z][a-z0-9_]*', name | string) -%}
        {{ exceptions.raise_compiler_error(
            "var recs_retrieval_sources: '" ~ name ~ "' is not a lower-case name"
            ~ " (letters, digits, underscores; it names the model int_recs_retrieval_<name>)") }}
    {%- endfor -%}
    {{ return(names) }}
{% endmacro %}

{#-
    A user's fixed place in [0, 1]: the first 8 hex digits of md5(user_id) / 0xFFFFFFFF, the
    same number catalog_ml.ranking.user_fraction computes, so SQL and Python split users alike
    (the ranker's promotion holdout is user_fraction < var recs_holdout_user_share).
-#}
{% macro recs_user_fraction(user_id) %}
    {{ return(adapter.dispatch('recs_user_fraction', 'catalog_ml')(user_id)) }}
{% endmacro %}

{% macro default__recs_user_fraction(user_id) -%}
    (cast('0x' || substr(md5({{ user_id }}), 1, 8) as ubigint) / 4294967295.0)
{%- endmacro %}

{% macro snowflake__recs_user_fraction(user_id) -%}
    (to_number(substr(md5({{ user_id }}), 1, 8), 'XXXXXXXX') / 4294967295.0)
{%- endmacro %}

{#-
    Every retrieval source's rows as one select (no WITH): cutoff_name, user_id, product_id,
    source_score, source_rank, source_name and source_precedence (its place in
    recs_retrieval_sources, 1 first), optionally of one cutoff only.
-#}
{% macro recs_retrieved(cutoff_name=none) -%}
    {%- for source_name in recs_retrieval_sources() %}
        select
            cutoff_name,
            user_id,
            product_id,
            source_score,
            source_rank,
            '{{ source_name }}' as source_name,
            {{ loop.index }} as source_precedence
        from {{ ref('int_recs_retrieval_' ~ source_name) }}
        {%- if cutoff_name %}
            where cutoff_name = '{{ cutoff_name }}'
        {%- endif %}
        {{ 'union all' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#-
    A robust z-score clipped to [0, 10]: how far `value` lies above `median_value`, in units
    of 1.4826 x the median absolute deviation (the standard deviation for normal data), the
    unit at least `floor` so that a behaviour nearly everyone shares cannot make a tiny
    difference look extreme. Below the median counts 0 (only excess is suspicious).
-#}
{% macro recs_robust_z(value, median_value, mad, floor) -%}
    least(greatest(({{ value }} - {{ median_value }}) / greatest(1.4826 * {{ mad }}, {{ floor }}), 0), 10)
{%- endmacro %}
