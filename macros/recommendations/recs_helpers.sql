{#-
    Time-decay weight of something `age_days` old: 1 now, 1/2 after one half-life
    (var recs_covisitation_half_life_days). exp and ln mean the same on both engines.
-#}
{% macro recs_decay(age_days) -%}
    exp(-0.6931471805599453 * greatest({{ age_days }}, 0) / {{ var('recs_covisitation_half_life_days') }})
{%- endmacro %}

{#- A Jinja list of strings as a SQL list: ('click', 'purchase'). -#}
{% macro recs_sql_list(values) -%}
    ({% for value in values %}'{{ value }}'{{ ', ' if not loop.last }}{% endfor %})
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
    The retrieval sources, in order of precedence for a candidate's retrieval_source. Each is
    a model int_recs_retrieval_<name> (cutoff_name, user_id, product_id, source_score,
    source_rank). Candidates, ranker features, retrieval recall and the per-source baselines
    of the evaluation all read this list: adding a source is one model plus one name here.
-#}
{% macro recs_retrieval_sources() %}
    {{ return(['sequential', 'covisitation', 'content', 'history', 'popularity']) }}
{% endmacro %}
