{#-
    Same input, same output (DESIGN.md). A parallel engine adds a group's rows in whatever
    order its threads finish, and a float sum's last bits depend on that order: a ranking over
    such a sum flips ties between two builds of the same data, and a model trained on it is a
    different model. The one way to aggregate or order floats that feed a ranking, a model or
    a public mart:

    deterministic_sum(expression) -> the sum of `expression` with every term rounded to
      deterministic_decimals() places and added as an exact fixed-point decimal (decimal(38, s):
      integer arithmetic, so the order of the additions cannot matter), as a double.
    deterministic_avg(expression) -> deterministic_sum(expression) / count(expression).
    deterministic_round(expression) -> `expression` rounded to deterministic_decimals() places:
      for a float that is computed from order-dependent parts (stddev_samp, a window sum over
      floats) before something is ordered by it or learns from it.

    Terms must be finite (a NaN or infinite term cannot be cast to a decimal and fails the
    query, which is what a NaN score should do). 9 decimals keep every score the project
    makes (IDFs, decays, cosines, shares) to about 1e-9 and leave 29 integer digits.
-#}
{% macro deterministic_decimals() -%}
    {{ return(9) }}
{%- endmacro %}

{% macro deterministic_sum(expression) -%}
    {{ return(adapter.dispatch('deterministic_sum', 'catalog_ml')(expression)) }}
{%- endmacro %}

{#- decimal(38, s), round and cast to double mean the same on DuckDB and Snowflake (where
    decimal is number and double is float), so one body serves both. -#}
{% macro default__deterministic_sum(expression) -%}
    cast(sum(cast(round({{ expression }}, {{ deterministic_decimals() }}) as decimal(38, {{ deterministic_decimals() }}))) as double)
{%- endmacro %}

{% macro deterministic_avg(expression) -%}
    ({{ deterministic_sum(expression) }} / nullif(count({{ expression }}), 0))
{%- endmacro %}

{% macro deterministic_round(expression) -%}
    round({{ expression }}, {{ deterministic_decimals() }})
{%- endmacro %}
