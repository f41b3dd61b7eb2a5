{#-
    A value as a SQL string literal: vars and file paths are quoted, never pasted into SQL,
    so a folder named "o'brien" or a crafted var cannot end the string and add statements.
    DuckDB strings are standard SQL (only the quote is doubled); Snowflake also reads a
    backslash as an escape, so it is doubled there too.
-#}
{% macro sql_string(value) %}
    {{ return(adapter.dispatch('sql_string', 'catalog_ml')(value)) }}
{% endmacro %}

{% macro default__sql_string(value) %}
    {{ return("'" ~ (value | string | replace("'", "''")) ~ "'") }}
{% endmacro %}

{% macro snowflake__sql_string(value) %}
    {{ return("'" ~ (value | string | replace('\\', '\\\\') | replace("'", "''")) ~ "'") }}
{% endmacro %}


{#- A double-quoted identifier with embedded double quotes doubled (any engine). -#}
{% macro sql_identifier(name) %}
    {{ return('"' ~ (name | string | replace('"', '""')) ~ '"') }}
{% endmacro %}


{#-
    Column types that cannot be read as one text value per cell: lists, structs, maps,
    binary. A raw file or table with one fails the build naming the column (raw_table)
    instead of stringifying '[a, b]' into a title.
-#}
{% macro is_unsupported_raw_type(data_type) %}
    {{ return(modules.re.search(
        '(\\[\\]|^\\s*(struct|map|union|list|array|object|blob|bytea|binary|varbinary|geography|geometry)\\b)',
        data_type | string, modules.re.I) is not none) }}
{% endmacro %}


{#-
    A numeric var, checked: vars reach SQL only as numbers or quoted strings (sql_string), so
    a var set to a crafted string fails compilation naming the var instead of running as SQL.
-#}
{% macro number_var(name) %}
    {%- set value = var(name) -%}
    {%- if value is number and value is not boolean -%}
        {{ return(value) }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error(
        "var " ~ name ~ " must be a number, got " ~ (value | string | truncate(80))
    ) }}
{% endmacro %}
