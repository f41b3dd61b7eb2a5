{#-
    Title and model-number similarities with one meaning on both engines, in [0, 1].
    DuckDB's jaro_winkler_similarity is already 0..1; Snowflake's JAROWINKLER_SIMILARITY
    is 0..100. DuckDB calls edit distance levenshtein, Snowflake EDITDISTANCE.
-#}
{% macro jaro_winkler(left, right) %}
    {{ return(adapter.dispatch('jaro_winkler', 'catalog_ml')(left, right)) }}
{% endmacro %}

{% macro default__jaro_winkler(left, right) -%}
    jaro_winkler_similarity({{ left }}, {{ right }})
{%- endmacro %}

{% macro snowflake__jaro_winkler(left, right) -%}
    (jarowinkler_similarity({{ left }}, {{ right }}) / 100.0)
{%- endmacro %}


{#- 1 - edit distance / length of the longer string (1 = equal), null when either is null. -#}
{% macro edit_similarity(left, right) -%}
    (1.0 - {{ adapter.dispatch('edit_distance', 'catalog_ml')(left, right) }}
        / nullif(greatest(length({{ left }}), length({{ right }})), 0))
{%- endmacro %}

{% macro default__edit_distance(left, right) -%}
    levenshtein({{ left }}, {{ right }})
{%- endmacro %}

{% macro snowflake__edit_distance(left, right) -%}
    editdistance({{ left }}, {{ right }})
{%- endmacro %}
