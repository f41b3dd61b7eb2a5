{#-
    Reviewer decisions: the review page (python -m catalog_ml.review, `make review`) appends
    accept / reject / pick-another decisions, with reviewer and time, to match_overrides.csv
    and match_labels.csv (raw contract columns) in the folder var review_data_path. Whatever
    var raw_source is (demo, files, warehouse), raw_table() adds the rows of those files to
    the table's own rows, so the next build reads them and staging checks them like any raw
    row (rejected with a reason, never dropped). Returns {query, found, origin} for
    match_overrides and match_labels, else none; none also when the var is empty, when the
    folder has no such file yet (no decisions), and in files mode when the folder is
    raw_data_path itself (the page then appends to the raw files, which raw_table reads
    already).
-#}
{% macro review_decisions_file(table_name) %}
    {%- set folder = var('review_data_path', none) -%}
    {%- if table_name not in ['match_overrides', 'match_labels'] or folder is none
        or (folder | string | trim) == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if var('raw_source') == 'files'
        and (folder | string).rstrip('/') == (var('raw_data_path') | string).rstrip('/') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set file = raw_file(table_name, 'review_data_path', allow_missing=true) -%}
    {%- if file is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set origin = 'review decisions file ' ~ file.path -%}
    {{ return({
        'query': file.query,
        'found': raw_query_columns(table_name, file.query, origin, file.types),
        'origin': origin,
    }) }}
{%- endmacro %}
