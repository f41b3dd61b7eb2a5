{#- Trimmed text, null when empty: how every raw text value is read. -#}
{% macro clean_text(expression) -%}
    nullif(trim({{ expression }}), '')
{%- endmacro %}

{#- Lower-case, every run of non-alphanumerics folded to one space: for matching keys. -#}
{% macro normalize_text(expression) -%}
    nullif(trim({{ regexp_replace_all('lower(' ~ expression ~ ')', '[^a-z0-9]+', ' ') }}), '')
{%- endmacro %}

{#- Category path with its levels trimmed and joined by ' > '. -#}
{% macro normalize_category(expression) -%}
    nullif(trim({{ regexp_replace_all(clean_text(expression), '[[:space:]]*>[[:space:]]*', ' > ') }}, ' >'), '')
{%- endmacro %}

{#-
    A manufacturer model number: the given one, else the first title token made of
    letters then at least two digits (WH-1000XM4, KX-T7730), upper-case with
    punctuation removed so 'wh-1000xm4' and 'WH1000XM4' agree.
-#}
{% macro model_number(given, title) -%}
    nullif(upper({{ regexp_replace_all(
        'coalesce(' ~ clean_text(given) ~ ', '
        ~ regexp_extract_first(title, '[A-Za-z]{1,5}-?[0-9]{2,}[A-Za-z0-9-]*') ~ ')',
        '[^A-Za-z0-9]', '') }}), '')
{%- endmacro %}

{#-
    GTIN-8/12/13/14 (digits, spaces and hyphens only) as a 14-digit string when its
    check digit is right, else null.
    Weights from the left of the 14-digit form are 3,1,3,...,3 over the first 13 digits.
-#}
{% macro gtin14(expression) -%}
    {%- set compact = regexp_replace_all(clean_text(expression), '[ -]', '') -%}
    {%- set digits = regexp_replace_all(compact, '[^0-9]', '') -%}
    {%- set padded = "lpad(" ~ digits ~ ", 14, '0')" -%}
    case
        when length({{ digits }}) in (8, 12, 13, 14)
            and length({{ digits }}) = length({{ compact }})
            and mod(
                10 - mod(
                    {%- for position in range(1, 14) %}
                    cast(substr({{ padded }}, {{ position }}, 1) as integer) * {{ 3 if position % 2 == 1 else 1 }}
                    {{- ' +' if not loop.last }}
                    {%- endfor %}
                    , 10),
                10) = cast(substr({{ padded }}, 14, 1) as integer)
            then {{ padded }}
    end
{%- endmacro %}
