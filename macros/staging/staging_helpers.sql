{#- The rows of stg_<table>_checked that failed a check, with raw values and reason. An
    incremental stg_<table>_rejected adds the rows loaded after the last it holds (loaded_at,
    as validate_raw's incremental_by). -#}
{% macro rejected_rows(table_name) %}
    {%- set columns = raw_contract_columns(table_name) if execute else [] %}
select
    {%- for column in columns %}
    {{ column.name }},
    {%- endfor %}
    reject_reason,
    reject_column
from {{ ref('stg_' ~ table_name ~ '_checked') }}
where
    reject_reason is not null
    {%- if is_incremental() %}
    and loaded_at > (select coalesce(max(rejected_before.loaded_at), '') from {{ this }} as rejected_before)
    {%- endif %}
{%- endmacro %}

{#-
    The columns products and offers share, normalised the same way: title (cleaned, and
    normalised for matching), brand (through the brand_aliases seed, joined as
    `brand_aliases`), category path and its top level, description, price, currency, GTIN
    and model number. Display text (title, brand, category, description) reaches the public
    marts, so text a spreadsheet would run as a formula is neutralised (neutralise_formula).
-#}
{% macro listing_columns(checked) -%}
        {{ neutralise_formula(clean_text(checked ~ '.title')) }} as title,
        {{ normalize_text(checked ~ '.title') }} as title_normalized,
        {{ neutralise_formula('coalesce(brand_aliases.brand, ' ~ clean_text(checked ~ '.brand') ~ ')') }} as brand,
        {{ normalize_text('coalesce(brand_aliases.brand, ' ~ checked ~ '.brand)') }} as brand_normalized,
        {{ neutralise_formula(normalize_category(checked ~ '.category')) }} as category,
        {{ dbt.split_part(neutralise_formula(normalize_category(checked ~ '.category')), "' > '", 1) }}
            as category_level_1,
        {{ neutralise_formula(clean_text(checked ~ '.description')) }} as description,
        {{ checked }}.price_typed as price,
        upper({{ clean_text(checked ~ '.currency') }}) as currency,
        {{ gtin14(checked ~ '.gtin') }} as gtin,
        {{ clean_text(checked ~ '.gtin') }} is not null
            and {{ gtin14(checked ~ '.gtin') }} is null as has_invalid_gtin,
        {{ model_number(checked ~ '.model_number', checked ~ '.title') }} as model_number
{%- endmacro %}

{#- The checks products and offers share beyond the raw data contract (validate_raw's
    `checks`): a title with nothing left after normalisation is an unusable_title. -#}
{% macro listing_checks() -%}
    {{ return([
        {'reason': 'unusable_title', 'column': 'title', 'when': normalize_text('typed.title') ~ ' is null'},
    ]) }}
{%- endmacro %}

{#- Join the brand alias seed on the normalised brand of `checked`. -#}
{% macro join_brand_aliases(checked) -%}
    left join {{ ref('brand_aliases') }} as brand_aliases
        on {{ normalize_text(checked ~ '.brand') }} = brand_aliases.alias
{%- endmacro %}
