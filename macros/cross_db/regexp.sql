{#-
    Regular expressions differ by dialect: DuckDB's regexp_replace replaces the first
    match unless given the 'g' flag and regexp_extract returns '' when nothing matches;
    Snowflake's REGEXP_REPLACE replaces all matches and REGEXP_SUBSTR returns null.
    Patterns must avoid backslashes (string escaping differs too): use POSIX classes
    such as [^a-z0-9] and [[:space:]].
-#}
{% macro regexp_replace_all(expression, pattern, replacement) %}
    {{ return(adapter.dispatch('regexp_replace_all', 'catalog_ml')(expression, pattern, replacement)) }}
{% endmacro %}

{% macro default__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro snowflake__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}


{#- The first match of pattern in expression, or null when there is none. -#}
{% macro regexp_extract_first(expression, pattern) %}
    {{ return(adapter.dispatch('regexp_extract_first', 'catalog_ml')(expression, pattern)) }}
{% endmacro %}

{% macro default__regexp_extract_first(expression, pattern) -%}
    nullif(regexp_extract({{ expression }}, '{{ pattern }}'), '')
{%- endmacro %}

{% macro snowflake__regexp_extract_first(expression, pattern) -%}
    regexp_substr({{ expression }}, '{{ pattern }}')
{%- endmacro %}


{#- True when pattern matches anywhere in expression (Snowflake's REGEXP_LIKE would anchor it). -#}
{% macro regexp_contains(expression, pattern) %}
    {{ return(adapter.dispatch('regexp_contains', 'catalog_ml')(expression, pattern)) }}
{% endmacro %}

{% macro default__regexp_contains(expression, pattern) -%}
    regexp_matches({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro snowflake__regexp_contains(expression, pattern) -%}
    (regexp_instr({{ expression }}, '{{ pattern }}') > 0)
{%- endmacro %}
