{#-
    Every raw row of one table, with its typed values and the first reason it cannot
    be kept (null when it can). stg_<table> keeps the rows without a reason,
    stg_<table>_rejected the others, so no row is lost between raw and staging.

    Checks, in this order (the first that fails names the row's reason):
      missing_required       a required contract column is empty
      unparseable_number     a column in `numbers` is not empty but does not parse
      unparseable_timestamp  a column in `timestamps` is not empty but does not parse
      <custom>               each entry of `checks`: {reason, column, when (SQL on `typed`)}
      dangling_foreign_key   a column in `foreign_keys` names no row of the parent model
      duplicate_id           among rows that passed every check, a repeat of `key`
                             (the first by `keep_first`, then by every raw column, is kept)

    Arguments: table_name (contract name); key (list of columns); numbers
    ({column: sql type}); timestamps (list); checks (list of dicts); foreign_keys
    ({column: parent model whose column of the same name is its key}); keep_first
    (SQL order by, on typed columns, choosing which duplicate is kept).
    Typed values are in <column>_typed; raw columns keep their raw text.
-#}
{% macro validate_raw(table_name, key, numbers={}, timestamps=[], checks=[], foreign_keys={}, keep_first=none) %}
    {%- set contract = raw_contract_columns(table_name) if execute else [] -%}
    {%- set raw_columns = contract | map(attribute='name') | list -%}
    {%- set failures = [] -%}
    {%- for column in contract if column.required -%}
        {%- do failures.append({'reason': 'missing_required', 'column': column.name,
            'when': clean_text('typed.' ~ column.name) ~ ' is null'}) -%}
    {%- endfor -%}
    {%- for column in numbers -%}
        {%- do failures.append({'reason': 'unparseable_number', 'column': column,
            'when': clean_text('typed.' ~ column) ~ ' is not null and typed.' ~ column ~ '_typed is null'}) -%}
    {%- endfor -%}
    {%- for column in timestamps -%}
        {%- do failures.append({'reason': 'unparseable_timestamp', 'column': column,
            'when': clean_text('typed.' ~ column) ~ ' is not null and typed.' ~ column ~ '_typed is null'}) -%}
    {%- endfor -%}
    {%- do failures.extend(checks) -%}
    {%- for column in foreign_keys -%}
        {%- do failures.append({'reason': 'dangling_foreign_key', 'column': column,
            'when': clean_text('typed.' ~ column) ~ ' is not null and parent_' ~ column ~ '.parent_key is null'}) -%}
    {%- endfor %}

with

raw as (
    {{ raw_table(table_name) }}
),

typed as (
    select
        raw.*
        {%- for column, type in numbers.items() %},
        {{ dbt.safe_cast(clean_text('raw.' ~ column), type) }} as {{ column }}_typed
        {%- endfor %}
        {%- for column in timestamps %},
        {{ dbt.safe_cast(clean_text('raw.' ~ column), dbt.type_timestamp()) }} as {{ column }}_typed
        {%- endfor %}
    from raw
),

checked as (
    select
        typed.*,
        case
            {%- for failure in failures %}
            when {{ failure.when }} then '{{ failure.reason }}'
            {%- endfor %}
        end as failed_check,
        case
            {%- for failure in failures %}
            when {{ failure.when }} then '{{ failure.column }}'
            {%- endfor %}
        end as failed_column
    from typed
    {%- for column, parent in foreign_keys.items() %}
    left join (
        select distinct {{ column }} as parent_key from {{ ref(parent) }}
    ) as parent_{{ column }}
        on {{ clean_text('typed.' ~ column) }} = parent_{{ column }}.parent_key
    {%- endfor %}
),

ranked as (
    select
        checked.*,
        row_number() over (
            partition by
                failed_check
                {%- for column in key %},
                {{ clean_text(column) }}
                {%- endfor %}
            order by
                {%- if keep_first %}
                {{ keep_first }},
                {%- endif %}
                {%- for column in raw_columns %}
                {{ column }}{{ ',' if not loop.last }}
                {%- endfor %}
        ) as key_occurrence
    from checked
),

final as (
    select
        ranked.* exclude (failed_check, failed_column, key_occurrence),
        case
            when failed_check is not null then failed_check
            when key_occurrence > 1 then 'duplicate_id'
        end as reject_reason,
        case
            when failed_check is not null then failed_column
            when key_occurrence > 1 then '{{ key | join(", ") }}'
        end as reject_column
    from ranked
)

select * from final
{%- endmacro %}
