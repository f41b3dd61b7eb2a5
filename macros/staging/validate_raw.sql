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
      missing_required       a required column is empty (whitespace, controls and bidi
                             characters do not count: clean_text)
      unparseable_number     a decimal or integer column is not empty but is not a number
                             its type can hold (parse_values.sql)
      inexact_number         a number its type would round (19.999 as decimal(18, 2), 1.5
                             as an integer)
      ambiguous_timezone     a timestamp with a zone name or abbreviation instead of an offset
      unparseable_timestamp  a timestamp column is not empty but does not parse
      text_too_long          a text column longer than var raw_max_text_length (columns
                             with meta long_text: raw_max_long_text_length)
      unusable_title         (checks)
      invalid_value          a value below the column's min or not in its accepted_values
                             (unless the column names another reject_reason), or (checks)
      unknown_currency       (currency columns: their accepted_values' reject_reason)
      unknown_event_type     (events.event_type: its accepted_values' reject_reason)
      negative_price         (price columns: their min's reject_reason)
      out_of_range           a number above the var named by the column's meta max_var
      before_epoch           a timestamp before 1970-01-01 (UTC)
      in_future              a timestamp after now (UTC), unless its meta says allow_future
      dangling_foreign_key   a column in `foreign_keys` names no row of the parent model
      duplicate_id           among rows that passed every check, a repeat of the key
                             (the first by `keep_first`, then by every raw column, is kept)

    Arguments: table_name (contract name); checks (list of {reason, column, when (SQL
    on `typed`)}, reasons from the list above); foreign_keys ({column: parent model whose
    column of the same name is its key}); keep_first (SQL order by, on typed columns,
    choosing which duplicate is kept). Typed values are in <column>_typed (timestamps in
    UTC); raw columns keep their raw text; <column>__text (clean_text of it, used by the
    checks) is dropped from the output; accepted values are compared lower-cased.

    Incremental models (materialized incremental, append) pass `incremental_by`, a raw column
    that grows with every load (loaded_at): an incremental build checks only the raw rows above
    the largest value already checked, and a row whose key a kept row already holds is a
    duplicate_id. A full refresh checks every row again: it alone re-runs the foreign-key and
    in_future checks of old rows and lets a later row that sorts first by keep_first win a key.
    Raw rows without the column are checked on full refreshes only (the rows-in test fails
    until then).
-#}
{% macro validate_raw(table_name, checks=[], foreign_keys={}, keep_first=none, incremental_by=none) %}
    {%- set incremental = incremental_by is not none and is_incremental() -%}
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
        {%- set text = 'typed.' ~ column.name ~ '__text' -%}
        {%- set value = 'typed.' ~ column.name ~ '_typed' -%}
        {%- if column.required -%}
            {%- do rules.append({'reason': 'missing_required', 'column': column.name, 'when': text ~ ' is null'}) -%}
        {%- endif -%}
        {%- if column.type is not none -%}
            {%- if column.type not in sql_types -%}
                {{ exceptions.raise_compiler_error(where ~ "type '" ~ column.type
                    ~ "' is not one of " ~ sql_types.keys() | list | join(', ')) }}
            {%- endif -%}
            {%- do typed_columns.append({'name': column.name, 'type': column.type, 'sql_type': sql_types[column.type]}) -%}
        {%- endif -%}
        {%- if column.type == 'timestamp' -%}
            {%- do rules.append({'reason': 'ambiguous_timezone', 'column': column.name,
                'when': text ~ ' is not null and ' ~ timestamp_has_zone_name(text)}) -%}
            {%- do rules.append({'reason': 'unparseable_timestamp', 'column': column.name,
                'when': text ~ ' is not null and ' ~ value ~ ' is null'}) -%}
            {%- do rules.append({'reason': 'before_epoch', 'column': column.name,
                'when': value ~ " < cast('1970-01-01' as " ~ dbt.type_timestamp() ~ ")"}) -%}
            {%- if not column.allow_future -%}
                {%- do rules.append({'reason': 'in_future', 'column': column.name,
                    'when': value ~ ' > ' ~ current_timestamp_utc()}) -%}
            {%- endif -%}
        {%- elif column.type is not none -%}
            {%- do rules.append({'reason': 'unparseable_number', 'column': column.name,
                'when': text ~ ' is not null and ' ~ value ~ ' is null'}) -%}
            {%- do rules.append({'reason': 'inexact_number', 'column': column.name,
                'when': number_is_inexact(text, value)}) -%}
        {%- else -%}
            {%- set limit_var = 'raw_max_long_text_length' if column.long_text else 'raw_max_text_length' -%}
            {%- do rules.append({'reason': 'text_too_long', 'column': column.name,
                'when': 'length(' ~ text ~ ') > ' ~ var(limit_var) | int}) -%}
        {%- endif -%}
        {%- if column.min is not none -%}
            {%- if column.type not in ['decimal', 'integer'] -%}
                {{ exceptions.raise_compiler_error(where ~ "min needs type decimal or integer") }}
            {%- endif -%}
            {%- do rules.append({'reason': column.reject_reason or 'invalid_value', 'column': column.name,
                'when': value ~ ' < ' ~ column.min}) -%}
        {%- endif -%}
        {%- if column.max_var is not none -%}
            {%- if column.type not in ['decimal', 'integer'] -%}
                {{ exceptions.raise_compiler_error(where ~ "max_var needs type decimal or integer") }}
            {%- endif -%}
            {%- set maximum = var(column.max_var) -%}
            {%- if maximum is not number and not (maximum | string | replace('.', '', 1)).isdigit() -%}
                {{ exceptions.raise_compiler_error(where ~ "var " ~ column.max_var ~ " is '" ~ maximum
                    ~ "', not a non-negative number") }}
            {%- endif -%}
            {%- do rules.append({'reason': 'out_of_range', 'column': column.name,
                'when': value ~ ' > ' ~ maximum | float}) -%}
        {%- endif -%}
        {%- if column.accepted_values is not none -%}
            {%- set quoted = [] -%}
            {%- for accepted in column.accepted_values -%}
                {%- if accepted | string != accepted | string | lower -%}
                    {{ exceptions.raise_compiler_error(where ~ "accepted value '" ~ accepted ~ "' must be lower-case") }}
                {%- endif -%}
                {%- do quoted.append(sql_string(accepted | string)) -%}
            {%- endfor -%}
            {%- do rules.append({'reason': column.reject_reason or 'invalid_value', 'column': column.name,
                'when': 'lower(' ~ text ~ ') not in (' ~ quoted | join(', ') ~ ')'}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do rules.extend(checks) -%}
    {%- for column in foreign_keys -%}
        {%- do rules.append({'reason': 'dangling_foreign_key', 'column': column,
            'when': 'typed.' ~ column ~ '__text is not null and parent_' ~ column ~ '.parent_key is null'}) -%}
    {%- endfor -%}
    {%- set reason_order = ['missing_required', 'unparseable_number', 'inexact_number', 'ambiguous_timezone',
        'unparseable_timestamp', 'text_too_long', 'unusable_title', 'invalid_value', 'unknown_currency',
        'unknown_event_type', 'negative_price', 'out_of_range', 'before_epoch', 'in_future',
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
    {%- if incremental %}
    select * from ({{ raw_table(table_name) }}) as raw_rows
    where {{ incremental_by }} > (select max(checked_before.{{ incremental_by }}) from {{ this }} as checked_before)
    {%- else %}
    {{ raw_table(table_name) }}
    {%- endif %}
),

typed as (
    select
        cleaned.*
        {%- for column in typed_columns %},
        {%- if column.type == 'timestamp' %}
        {{ parse_timestamp_utc(column.name ~ '__text') }} as {{ column.name }}_typed
        {%- else %}
        {{ parse_number(column.name ~ '__text', column.sql_type) }} as {{ column.name }}_typed
        {%- endif %}
        {%- endfor %}
    from (
        select
            raw.*
            {%- for column in raw_columns %},
            {{ clean_text('raw.' ~ column) }} as {{ column }}__text
            {%- endfor %}
        from raw
    ) as cleaned
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
        on typed.{{ column }}__text = parent_{{ column }}.parent_key
    {%- endfor %}
),

ranked as (
    select
        checked.*,
        row_number() over (
            partition by
                failed_check
                {%- for column in key %},
                {{ column }}__text
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
        ranked.* exclude (
            failed_check, failed_column, key_occurrence
            {%- for column in raw_columns %}, {{ column }}__text{% endfor %}
        ),
        case
            when failed_check is not null then failed_check
            when key_occurrence > 1 {%- if incremental %} or kept_before.is_kept{% endif %} then 'duplicate_id'
        end as reject_reason,
        case
            when failed_check is not null then failed_column
            when key_occurrence > 1 {%- if incremental %} or kept_before.is_kept{% endif %} then '{{ key | join(", ") }}'
        end as reject_column
    from ranked
    {%- if incremental %}
    left join (
        select distinct
            {%- for column in key %}
            {{ clean_text('kept.' ~ column) }} as {{ column }}__kept,
            {%- endfor %}
            true as is_kept
        from {{ this }} as kept
        where kept.reject_reason is null
    ) as kept_before
        on
        {%- for column in key %}
            ranked.{{ column }}__text = kept_before.{{ column }}__kept{{ ' and' if not loop.last }}
        {%- endfor %}
    {%- endif %}
)

select * from final
{%- endmacro %}
