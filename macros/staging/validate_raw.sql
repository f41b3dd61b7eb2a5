{#-
    Every raw row of one table, with its typed values and the first reason it cannot
    be kept (null when it can). stg_<table> keeps the rows without a reason,
    stg_<table>_rejected the others, so no row is lost between raw and staging.

    The raw data contract (models/staging/_raw__sources.yml, read through raw_contract)
    gives the declarative rules: required columns, types, min, accepted_values and the
    key. The calling model adds what is not a fact about one column: `checks`,
    `foreign_keys` and `keep_first`. The Great Expectations suites (`make validate`) are
    generated from the same contract.

    Reasons, in this order (the first that fails names the row's reason; among rules
    with the same reason, contract column order, then the order of `checks`):
      missing_required       a required column is empty
      unparseable_number     a decimal or integer column is not empty but does not parse
      unparseable_timestamp  a timestamp column is not empty but does not parse
      unusable_title         (checks)
      invalid_value          a value below the column's min or not in its accepted_values
                             (unless the column names another reject_reason), or (checks)
      unknown_event_type     (events.event_type: its accepted_values' reject_reason)
      negative_price         (price columns: their min's reject_reason)
      before_epoch, in_future (checks)
      dangling_foreign_key   a column in `foreign_keys` names no row of the parent model
      duplicate_id           among rows that passed every check, a repeat of the key
                             (the first by `keep_first`, then by every raw column, is kept)

    Arguments: table_name (contract name); checks (list of {reason, column, when (SQL
    on `typed`)}, reasons from the list above); foreign_keys ({column: parent model whose
    column of the same name is its key}); keep_first (SQL order by, on typed columns,
    choosing which duplicate is kept). Typed values are in <column>_typed; raw columns
    keep their raw text; accepted values are compared trimmed and lower-cased.
-#}
{% macro validate_raw(table_name, checks=[], foreign_keys={}, keep_first=none) %}
    {%- set contract = raw_contract(table_name) if execute else {'key': [], 'columns': []} -%}
    {%- set raw_columns = contract.columns | map(attribute='name') | list -%}
    {%- set key = contract.key -%}
    {%- if execute and key | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "raw table '" ~ table_name ~ "' has no key (config.meta.key) in the raw data contract "
            ~ "(models/staging/_raw__sources.yml)") }}
    {%- endif -%}
    {%- set sql_types = {'decimal': 'decimal(18, 2)', 'integer': 'integer', 'timestamp': dbt.type_timestamp()} -%}
    {%- set typed_columns = [] -%}
    {%- set rules = [] -%}
    {%- for column in contract.columns -%}
        {%- set where = "raw table '" ~ table_name ~ "', column '" ~ column.name ~ "' in the raw data contract: " -%}
        {%- if column.required -%}
            {%- do rules.append({'reason': 'missing_required', 'column': column.name,
                'when': clean_text('typed.' ~ column.name) ~ ' is null'}) -%}
        {%- endif -%}
        {%- if column.type is not none -%}
            {%- if column.type not in sql_types -%}
                {{ exceptions.raise_compiler_error(where ~ "type '" ~ column.type
                    ~ "' is not one of " ~ sql_types.keys() | list | join(', ')) }}
            {%- endif -%}
            {%- do typed_columns.append({'name': column.name, 'sql_type': sql_types[column.type]}) -%}
            {%- do rules.append({
                'reason': 'unparseable_timestamp' if column.type == 'timestamp' else 'unparseable_number',
                'column': column.name,
                'when': clean_text('typed.' ~ column.name) ~ ' is not null and typed.' ~ column.name ~ '_typed is null'}) -%}
        {%- endif -%}
        {%- if column.min is not none -%}
            {%- if column.type not in ['decimal', 'integer'] -%}
                {{ exceptions.raise_compiler_error(where ~ "min needs type decimal or integer") }}
            {%- endif -%}
            {%- do rules.append({'reason': column.reject_reason or 'invalid_value', 'column': column.name,
                'when': 'typed.' ~ column.name ~ '_typed < ' ~ column.min}) -%}
        {%- endif -%}
        {%- if column.accepted_values is not none -%}
            {%- set quoted = [] -%}
            {%- for value in column.accepted_values -%}
                {%- if value | string != value | string | lower -%}
                    {{ exceptions.raise_compiler_error(where ~ "accepted value '" ~ value ~ "' must be lower-case") }}
                {%- endif -%}
                {%- do quoted.append("'" ~ (value | string | replace("'", "''")) ~ "'") -%}
            {%- endfor -%}
            {%- do rules.append({'reason': column.reject_reason or 'invalid_value', 'column': column.name,
                'when': 'lower(' ~ clean_text('typed.' ~ column.name) ~ ') not in (' ~ quoted | join(', ') ~ ')'}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do rules.extend(checks) -%}
    {%- for column in foreign_keys -%}
        {%- do rules.append({'reason': 'dangling_foreign_key', 'column': column,
            'when': clean_text('typed.' ~ column) ~ ' is not null and parent_' ~ column ~ '.parent_key is null'}) -%}
    {%- endfor -%}
    {%- set reason_order = ['missing_required', 'unparseable_number', 'unparseable_timestamp', 'unusable_title',
        'invalid_value', 'unknown_event_type', 'negative_price', 'before_epoch', 'in_future',
        'dangling_foreign_key'] -%}
    {%- for rule in rules if rule.reason not in reason_order -%}
        {{ exceptions.raise_compiler_error(
            "raw table '" ~ table_name ~ "': reject reason '" ~ rule.reason ~ "' (column '" ~ rule.column
            ~ "') is not one of " ~ reason_order | join(', ') ~ " (macros/staging/validate_raw.sql)") }}
    {%- endfor -%}
    {%- set failures = [] -%}
    {%- for reason in reason_order -%}
        {%- for rule in rules if rule.reason == reason -%}
            {%- do failures.append(rule) -%}
        {%- endfor -%}
    {%- endfor %}

with

raw as (
    {{ raw_table(table_name) }}
),

typed as (
    select
        raw.*
        {%- for column in typed_columns %},
        {{ dbt.safe_cast(clean_text('raw.' ~ column.name), column.sql_type) }} as {{ column.name }}_typed
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
