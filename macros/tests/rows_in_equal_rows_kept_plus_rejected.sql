{#-
    No row is lost between raw and staging: every raw row of `table_name` is either
    kept in the tested model or quarantined in stg_<table_name>_rejected.
    Fails with one row showing the three counts when they do not add up.
-#}
{% test rows_in_equal_rows_kept_plus_rejected(model, table_name) %}

with

counts as (
    select
        '{{ table_name }}' as table_name,
        (select count(*) from ({{ raw_table(table_name) }}) as raw_rows) as rows_in,
        (select count(*) from {{ model }}) as rows_kept,
        (select count(*) from {{ ref('stg_' ~ table_name ~ '_rejected') }}) as rows_rejected
)

select * from counts
where rows_in != rows_kept + rows_rejected

{% endtest %}
