{#-
    Files mode: find the file of one raw table in the folder var folder_var names (var
    raw_data_path; var review_data_path for reviewer decisions) and return
    {path, query, types} where query selects its rows with their own column names, as text,
    and types maps each column name to the file's type for it; none when there is no file
    and allow_missing (DuckDB; on Snowflake the file must exist). DuckDB reads products.csv
    or products.parquet from a local folder; Snowflake reads products.parquet from the
    stage named by var raw_stage. Paths and names reach SQL as quoted literals
    (sql_string), never pasted.
-#}
{% macro raw_file(table_name, folder_var='raw_data_path', allow_missing=false) %}
    {{ return(adapter.dispatch('raw_file', 'catalog_ml')(table_name, folder_var, allow_missing)) }}
{% endmacro %}

{#- CSV as the contract defines it: comma-separated, double quotes, header line, UTF-8. -#}
{% macro raw_csv_options() -%}
    header = true, all_varchar = true, delim = ',', quote = '"', escape = '"'
{%- endmacro %}

{% macro default__raw_file(table_name, folder_var='raw_data_path', allow_missing=false) %}
    {%- set folder = var(folder_var) | string -%}
    {%- set folder = folder.rstrip('/') if folder.rstrip('/') else folder -%}
    {#- DuckDB's file functions read * ? [ as a pattern: bracket them so they match themselves. -#}
    {%- set pattern_folder = folder | replace('[', '[[]') | replace('*', '[*]') | replace('?', '[?]') -%}
    {%- set stem = pattern_folder ~ '/' ~ table_name -%}
    {%- set files = run_query(
        'select file from glob(' ~ sql_string(stem ~ '.csv') ~ ') union all select file from glob('
        ~ sql_string(stem ~ '.parquet') ~ ') order by file').columns[0].values() -%}
    {%- if files | length == 0 and allow_missing -%}
        {{ return(none) }}
    {%- elif files | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "raw table '" ~ table_name ~ "': no file " ~ table_name ~ ".csv or " ~ table_name
            ~ ".parquet in folder '" ~ folder ~ "' (var " ~ folder_var ~ ", relative to where dbt runs)") }}
    {%- elif files | length > 1 -%}
        {{ exceptions.raise_compiler_error(
            "raw table '" ~ table_name ~ "': both " ~ files | join(' and ') ~ " exist; keep one") }}
    {%- endif -%}
    {%- set path = files[0] -%}
    {%- set read_path = sql_string(path | replace('[', '[[]') | replace('*', '[*]') | replace('?', '[?]')) -%}
    {%- set size = run_query('select size from read_blob(' ~ read_path ~ ')').columns[0].values()[0] -%}
    {%- if size == 0 -%}
        {{ exceptions.raise_compiler_error(
            "raw table '" ~ table_name ~ "': file " ~ path ~ " is empty (0 bytes); a raw file holds at least"
            ~ " its header line (a table without rows is a header-only file)") }}
    {%- endif -%}
    {%- if path.endswith('.csv') -%}
        {%- set query = 'select * from read_csv(' ~ read_path ~ ', ' ~ raw_csv_options() ~ ')' -%}
        {#- A ragged row (more or fewer values than the header), a stray quote or bytes that are
            not UTF-8: stop here naming the file, line and column, before DuckDB's sniffer
            guesses another dialect and reports the whole header as one column. -#}
        {%- set problems = run_query(
            'select max(length(columns(*))) from read_csv(' ~ read_path ~ ', ' ~ raw_csv_options()
            ~ ', store_rejects = true); select errors.line, errors.column_name, errors.error_type,'
            ~ ' errors.csv_line, errors.error_message from reject_errors as errors'
            ~ ' where errors.scan_id = (select max(scan_id) from reject_scans)'
            ~ ' order by errors.line, errors.column_idx limit 3') -%}
        {%- if problems.rows | length > 0 -%}
            {%- set lines = [] -%}
            {%- for row in problems.rows -%}
                {%- do lines.append('line ' ~ row[0] ~ (', column ' ~ "'" ~ row[1] ~ "'" if row[1] else '')
                    ~ ': ' ~ row[2] | lower ~ ' (' ~ row[4] ~ ') in ' ~ (row[3] | string)[:200] | tojson) -%}
            {%- endfor -%}
            {{ exceptions.raise_compiler_error(
                "raw table '" ~ table_name ~ "': file " ~ path ~ " is not a valid CSV (UTF-8, comma-separated,"
                ~ " double quotes, one header line, as many values per row as header columns): "
                ~ lines | join('; ')) }}
        {%- endif -%}
    {%- else -%}
        {%- set query = 'select * from read_parquet(' ~ read_path ~ ')' -%}
    {%- endif -%}
    {%- set described = run_query('describe ' ~ query) -%}
    {%- set types = {} -%}
    {%- for row in described.rows -%}
        {%- do types.update({row[0]: row[1]}) -%}
    {%- endfor -%}
    {{ return({'path': path, 'query': query, 'types': types}) }}
{% endmacro %}

{#- Snowflake: staged Parquet; column names and types come from INFER_SCHEMA. The stage
    name is an identifier (it cannot be a literal in FROM @stage), so it must look like one. -#}
{% macro snowflake__raw_file(table_name, folder_var='raw_data_path', allow_missing=false) %}
    {#- var review_data_path names a stage path there; raw_data_path means var raw_stage. -#}
    {%- set stage = (var('raw_stage') if folder_var == 'raw_data_path' else var(folder_var)) | string -%}
    {%- if not modules.re.match('^[A-Za-z_][A-Za-z0-9_$]*([.][A-Za-z_][A-Za-z0-9_$]*){0,2}(/[A-Za-z0-9_.=-]+)*$', stage) -%}
        {{ exceptions.raise_compiler_error(
            "var raw_stage '" ~ stage ~ "' is not a stage name ([database.][schema.]stage[/path], letters,"
            ~ " digits and _ only)") }}
    {%- endif -%}
    {%- set path = '@' ~ stage ~ '/' ~ table_name ~ '.parquet' -%}
    {%- set file_format = var('raw_parquet_file_format') | string -%}
    {%- set inferred = run_query(
        'select column_name, type from table(infer_schema(location => ' ~ sql_string(path)
        ~ ', file_format => ' ~ sql_string(file_format) ~ '))') -%}
    {%- set selected = [] -%}
    {%- set types = {} -%}
    {%- for row in inferred.rows -%}
        {%- do types.update({row[0]: row[1]}) -%}
        {%- do selected.append('$1:' ~ sql_identifier(row[0]) ~ '::varchar as ' ~ sql_identifier(row[0])) -%}
    {%- endfor -%}
    {%- set query = 'select ' ~ selected | join(', ') ~ " from " ~ path
        ~ ' (file_format => ' ~ sql_string(file_format) ~ ')' -%}
    {{ return({'path': path, 'query': query, 'types': types}) }}
{% endmacro %}
