{#-
    The one way raw data enters the project. Staging calls raw_table('products') and
    never knows whether rows come from the demo generator, from files or from
    warehouse tables (var raw_source). The result has exactly the contract's columns
    (models/staging/_raw__sources.yml), all text; optional columns missing from a
    file or table are filled with null, a missing required column or an unexpected
    (for example renamed) column stops the build with a message naming both.
    Reviewer decisions (match_overrides, match_labels) written by the review page to the
    folder var review_data_path are added to the rows of any source (review_decisions_file).
-#}
{% macro raw_table(table_name) %}
    {%- set raw_source = var('raw_source') -%}
    {%- if raw_source == 'demo' -%}
        {%- set relation = ref('raw_demo_' ~ table_name) -%}
    {%- elif raw_source == 'warehouse' -%}
        {%- set relation = source('raw', table_name) -%}
    {%- elif raw_source == 'files' -%}
        {%- set relation = none -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "var raw_source is '" ~ raw_source ~ "'; use one of demo, files, warehouse") }}
    {%- endif -%}
    {%- if not execute -%}
        {{ return('select 1 as parse_time_placeholder') }}
    {%- endif -%}

    {%- set contract = raw_contract_columns(table_name) -%}
    {%- if raw_source == 'demo' -%}
        {#- The generator writes the contract's columns; tests/python checks it. -#}
        {%- set query = 'select * from ' ~ relation -%}
        {%- set found = contract | map(attribute='name') | list -%}
        {%- set origin = 'demo table ' ~ relation -%}
    {%- else -%}
        {%- if relation is none -%}
            {%- set file = raw_file(table_name) -%}
            {%- set query = file.query -%}
            {%- set origin = 'file ' ~ file.path -%}
            {%- set types = file.types -%}
        {%- else -%}
            {%- set query = 'select * from ' ~ relation -%}
            {%- set origin = 'table ' ~ relation -%}
            {%- set types = {} -%}
            {%- for column in adapter.get_columns_in_relation(relation) -%}
                {%- do types.update({column.name: column.dtype}) -%}
            {%- endfor -%}
        {%- endif -%}
        {%- set found = raw_query_columns(table_name, query, origin, types) -%}
    {%- endif -%}
    {{ raw_contract_select(table_name, contract, query, found, origin) }}
    {%- set review = review_decisions_file(table_name) -%}
    {%- if review is not none %}
    union all
    {{ raw_contract_select(table_name, contract, review.query, review.found, review.origin) }}
    {%- endif -%}
{%- endmacro %}


{#- The column names of a raw query (file or table); a list, struct, map or binary column
    (types: name -> type) would be stringified ('[a, b]' as a title), so it stops the build. -#}
{% macro raw_query_columns(table_name, query, origin, types) %}
    {%- for name, data_type in types.items() if is_unsupported_raw_type(data_type) -%}
        {{ exceptions.raise_compiler_error(
            "raw table '" ~ table_name ~ "' (" ~ origin ~ ") column '" ~ name ~ "' has type " ~ data_type
            ~ "; the raw data contract needs one text, number or timestamp value per cell (flatten"
            ~ " lists and structs before loading)") }}
    {%- endfor -%}
    {{ return(run_query('select * from (' ~ query ~ ') as probe where 1 = 0').column_names) }}
{%- endmacro %}


{#- The contract's columns of one raw table selected, as text, from query (whose columns are
    found, in any case); an unexpected or a missing required column stops the build naming
    origin. -#}
{% macro raw_contract_select(table_name, contract, query, found, origin) %}
    {%- set found_by_name = {} -%}
    {%- for name in found -%}
        {%- do found_by_name.update({name | lower: name}) -%}
    {%- endfor -%}
    {%- set expected = contract | map(attribute='name') | list -%}
    {%- for name in found_by_name -%}
        {%- if name not in expected -%}
            {{ exceptions.raise_compiler_error(
                "raw table '" ~ table_name ~ "' (" ~ origin ~ ") has unexpected column '" ~ name
                ~ "' (renamed?). The raw data contract (models/staging/_raw__sources.yml) lists: "
                ~ expected | join(', ')) }}
        {%- endif -%}
    {%- endfor %}
    select
    {%- for column in contract %}
        {%- if column.name in found_by_name %}
        cast({{ sql_identifier(found_by_name[column.name]) }} as {{ dbt.type_string() }}) as {{ column.name }}
        {%- elif column.required -%}
            {{ exceptions.raise_compiler_error(
                "raw table '" ~ table_name ~ "' (" ~ origin ~ ") is missing required column '"
                ~ column.name ~ "'. Found columns: " ~ found_by_name.keys() | list | join(', ')) }}
        {%- else %}
        cast(null as {{ dbt.type_string() }}) as {{ column.name }}
        {%- endif -%}
        {{- ',' if not loop.last }}
    {%- endfor %}
    from ({{ query }}) as raw_rows
{%- endmacro %}


{#-
    One raw table of the contract (models/staging/_raw__sources.yml), read from the graph:
    {name, key, columns}; key is the table's meta.key (list of columns, empty if none);
    each column is {name, required, type, min, max_var, accepted_values, reject_reason,
    long_text, allow_future} from its meta (none or false where the contract says nothing).
    Column names are lower-case.
-#}
{% macro raw_contract(table_name) %}
    {%- set found = {} -%}
    {%- for node in graph.sources.values()
        if node.source_name == 'raw' and node.name == table_name -%}
        {%- set table_meta = node.meta or node.config.meta or {} -%}
        {%- set columns = [] -%}
        {%- for column in node.columns.values() -%}
            {%- set meta = column.meta or column.config.meta or {} -%}
            {%- do columns.append({
                'name': column.name | lower,
                'required': meta.get('required', false),
                'type': meta.get('type'),
                'min': meta.get('min'),
                'accepted_values': meta.get('accepted_values'),
                'reject_reason': meta.get('reject_reason'),
                'max_var': meta.get('max_var'),
                'long_text': meta.get('long_text', false),
                'allow_future': meta.get('allow_future', false),
            }) -%}
        {%- endfor -%}
        {%- do found.update({'name': table_name, 'key': table_meta.get('key', []), 'columns': columns}) -%}
    {%- endfor -%}
    {%- if not found or found.columns | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "raw table '" ~ table_name ~ "' is not in the raw data contract (models/staging/_raw__sources.yml)") }}
    {%- endif -%}
    {{ return(found) }}
{%- endmacro %}


{#- The contract's columns of one raw table (see raw_contract). -#}
{% macro raw_contract_columns(table_name) %}
    {{ return(raw_contract(table_name).columns) }}
{%- endmacro %}


{#-
    The raw tables, in contract order. A static list because dbt needs the refs built
    from it at parse time, before the graph exists; when the graph exists (execute) it
    must equal the contract's tables, so the two cannot drift apart silently.
-#}
{% macro raw_table_names() %}
    {%- set names = ['products', 'offers', 'match_labels', 'match_overrides', 'users', 'events',
        'experiments', 'experiment_assignments'] -%}
    {%- if execute -%}
        {%- set contract = [] -%}
        {%- for node in graph.sources.values() if node.source_name == 'raw' -%}
            {%- do contract.append(node.name) -%}
        {%- endfor -%}
        {%- if contract | sort != names | sort -%}
            {{ exceptions.raise_compiler_error(
                "raw_table_names() (macros/raw/raw_table.sql) lists " ~ names | sort | join(', ')
                ~ " but the raw data contract (models/staging/_raw__sources.yml) has "
                ~ contract | sort | join(', ')) }}
        {%- endif -%}
    {%- endif -%}
    {{ return(names) }}
{%- endmacro %}


{#-
    Freshness limits of one raw table as declared on the source (config.freshness,
    table level over source level), read from the graph, in hours:
    {warn_after_hours, error_after_hours, loaded_at_field}; a limit not set is none.
-#}
{% macro raw_freshness_limits(table_name) %}
    {%- set hours_per = {'minute': 1.0 / 60, 'hour': 1, 'day': 24} -%}
    {%- set found = {} -%}
    {%- for node in graph.sources.values() if node.source_name == 'raw' and node.name == table_name -%}
        {%- set freshness = node.freshness or {} -%}
        {%- for limit in ['warn_after', 'error_after'] -%}
            {%- set threshold = freshness.get(limit) or {} -%}
            {%- if threshold.get('count') is not none and threshold.get('period') is not none -%}
                {%- do found.update({limit ~ '_hours': threshold.count * hours_per[threshold.period]}) -%}
            {%- else -%}
                {%- do found.update({limit ~ '_hours': none}) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do found.update({'loaded_at_field': node.loaded_at_field}) -%}
    {%- endfor -%}
    {%- if not found -%}
        {{ exceptions.raise_compiler_error(
            "raw table '" ~ table_name ~ "' is not in the raw data contract (models/staging/_raw__sources.yml)") }}
    {%- endif -%}
    {{ return(found) }}
{%- endmacro %}
