{#-
    How staging reads numbers and timestamps from raw text (validate_raw). The Great
    Expectations suites (src/catalog_ml/expectations.py) use the same patterns and rules.

    number     [+-] digits with an optional point and exponent (1, -1.5, .5, 1e3); anything
               else (1,5  1_000  NaN  inf  0x10) is unparseable_number, and so is a value
               the column's type cannot hold (1e30 in decimal(18, 2)). A value the type
               would round (19.999 as a price, 1.5 as a position) is inexact_number:
               staging never rounds silently.
    timestamp  an ISO date, optional time (T or space), optional UTC offset: Z, UTC, GMT,
               +hh, +hhmm, +hh:mm. An offset is converted to UTC; a time without one is read
               as UTC. A zone name or abbreviation (Europe/Paris, EST) is rejected as
               ambiguous_timezone: abbreviations name several zones (CST) and names map to
               offsets through tz rules that differ by engine and version.
-#}

{% macro number_pattern() -%}
    ^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$
{%- endmacro %}

{%- macro timestamp_date_pattern() -%}
    [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}
{%- endmacro %}

{%- macro timestamp_time_pattern() -%}
    [T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?
{%- endmacro %}

{#- A date, or a date and time, without zone. -#}
{% macro timestamp_naive_pattern() -%}
    ^{{ timestamp_date_pattern() }}({{ timestamp_time_pattern() }})?$
{%- endmacro %}

{#- A date and time with a numeric offset (Z, UTC and GMT already written as +00:00). -#}
{% macro timestamp_offset_pattern() -%}
    ^{{ timestamp_date_pattern() }}{{ timestamp_time_pattern() }} ?[+-][0-9]{2}(:?[0-9]{2})?$
{%- endmacro %}

{#- A date and time followed by a zone name or abbreviation. -#}
{% macro timestamp_zone_name_pattern() -%}
    ^{{ timestamp_date_pattern() }}{{ timestamp_time_pattern() }} ?[A-Za-z][A-Za-z0-9_/+-]*$
{%- endmacro %}

{#- Text with Z, UTC or GMT at its end written as the offset +00:00. -#}
{% macro timestamp_utc_suffix(text) -%}
    {{ regexp_replace_all(text, ' ?(Z|z|UTC|GMT)$', '+00:00') }}
{%- endmacro %}


{#- A number in sql_type, null when text is not a number or the type cannot hold it. -#}
{% macro parse_number(text, sql_type) -%}
    case when {{ regexp_contains(text, number_pattern()) }} then {{ dbt.safe_cast(text, sql_type) }} end
{%- endmacro %}

{#- True when typed (the parsed value of text) differs from the number text says:
    the type rounded it. -#}
{% macro number_is_inexact(text, typed) -%}
    ({{ typed }} is not null
        and {{ dbt.safe_cast(text, 'double') }}
        != cast({{ typed }} as double))
{%- endmacro %}

{#- True when text is a date and time with a zone name (ambiguous_timezone). -#}
{% macro timestamp_has_zone_name(text) -%}
    {{ regexp_contains(timestamp_utc_suffix(text), timestamp_zone_name_pattern()) }}
{%- endmacro %}

{#- The UTC timestamp (without time zone) text names, null when it is not one. -#}
{% macro parse_timestamp_utc(text) %}
    {{ return(adapter.dispatch('parse_timestamp_utc', 'catalog_ml')(text)) }}
{% endmacro %}

{#- DuckDB: timestamptz parses the offset (not a space before it); timezone('UTC', ...)
    gives the UTC wall-clock time. A plain cast to timestamp would drop the offset. -#}
{% macro default__parse_timestamp_utc(text) -%}
    {%- set utc_text = timestamp_utc_suffix(text) -%}
    case
        when {{ regexp_contains(utc_text, timestamp_offset_pattern()) }}
            then cast(timezone('UTC', try_cast(regexp_replace({{ utc_text }}, ' ([+-][0-9])', '\1') as timestamptz))
                as timestamp)
        when {{ regexp_contains(text, timestamp_naive_pattern()) }}
            then try_cast({{ text }} as timestamp)
    end
{%- endmacro %}

{#- Snowflake: a cast to timestamp_tz keeps the offset, CONVERT_TIMEZONE moves it to UTC; text
    without an offset is read as timestamp_ntz (never in the session's time zone). TRY_CAST of
    text is TRY_TO_TIMESTAMP_TZ / _NTZ without a format (same parse, null on a bad value), in
    the form the Snowflake emulator of the tests also runs (it lacks TRY_TO_TIMESTAMP_*). -#}
{% macro snowflake__parse_timestamp_utc(text) -%}
    {%- set utc_text = timestamp_utc_suffix(text) -%}
    case
        when {{ regexp_contains(utc_text, timestamp_offset_pattern()) }}
            then cast(convert_timezone('UTC', try_cast(
                regexp_replace(replace({{ utc_text }}, 'T', ' '), ' ([+-][0-9])', '\\1') as timestamp_tz)) as timestamp_ntz)
        when {{ regexp_contains(text, timestamp_naive_pattern()) }}
            then try_cast(replace({{ text }}, 'T', ' ') as timestamp_ntz)
    end
{%- endmacro %}
