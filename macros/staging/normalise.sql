{#- clean_text and normalize_text (Unicode-aware, dispatched) are in text_rules.sql. -#}

{#- Category path with its levels trimmed and joined by ' > '. -#}
{% macro normalize_category(expression) -%}
    nullif(trim({{ regexp_replace_all(clean_text(expression), '[[:space:]]*>[[:space:]]*', ' > ') }}, ' >'), '')
{%- endmacro %}

{#-
    A manufacturer model number: the given one, else the first title token where a letter
    is followed by two digits (optionally across a hyphen), with its hyphenated parts
    (KX-TG1032S, 0345B002, WH-1000XM4), upper-case with punctuation removed so
    'wh-1000xm4' and 'WH1000XM4' agree. Every other code of a listing, all-digit ones
    included, is in int_catalog_listing_codes.
-#}
{% macro model_number(given, title) -%}
    nullif(upper({{ regexp_replace_all(
        'coalesce(' ~ clean_text(given) ~ ', '
        ~ regexp_extract_first(title, '([A-Za-z0-9]+-)*[A-Za-z0-9]*[A-Za-z]-?[0-9][0-9][A-Za-z0-9]*(-[A-Za-z0-9]+)*') ~ ')',
        '[^A-Za-z0-9]', '') }}), '')
{%- endmacro %}

{#-
    Text for code and number extraction: lower-case, every run of characters other than
    letters, digits and . / " - folded to one space (so 'KX-TG1032S', '13.3"' and
    '0345b002' stay whole tokens).
-#}
{% macro code_text(expression) -%}
    {{ regexp_replace_all('lower(' ~ expression ~ ')', '[^a-z0-9./"-]+', ' ') }}
{%- endmacro %}

{#- Upper-case letters and digits only: codes compared by equality or containment. -#}
{% macro compact_code(expression) -%}
    upper({{ regexp_replace_all(expression, '[^A-Za-z0-9]', '') }})
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

{#- The optional unit after a number in code text (lower-case): what makes '500gb', '13.3"'
    or '1080p' a quantity rather than a code. -#}
{% macro number_unit_pattern() -%}
    (gb|tb|mb|kb|in|inch|inches|"|mm|cm|m|ft|w|kw|v|mah|hz|khz|mhz|ghz|mp|oz|lb|lbs|g|kg|ml|l|qt|p|x|k|pcs|pc|pack|pk|ct|th|st|nd|rd|s)?
{%- endmacro %}
