{#-
    One row per raw table: its latest load time (the raw loaded_at column, as staging
    parsed it, over every raw row kept or rejected) against the freshness limits declared
    on the source in models/staging/_raw__sources.yml, read from the graph
    (raw_freshness_limits), so this view and `dbt source freshness` judge alike. A view:
    the age is measured when it is read.
-#}
{%- set tables = raw_table_names() %}

with

latest_loads as (
    {%- for table_name in tables %}
    select
        '{{ table_name }}' as source_table,
        max(loaded_at_typed) as max_loaded_at
    from {{ ref('stg_' ~ table_name ~ '_checked') }}
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
),

limits as (
    {%- for table_name in tables %}
        {%- set limit = raw_freshness_limits(table_name) if execute else {} %}
    select
        '{{ table_name }}' as source_table,
        cast({{ limit.get('warn_after_hours') if limit.get('warn_after_hours') is not none else 'null' }}
            as {{ dbt.type_float() }}) as warn_after_hours,
        cast({{ limit.get('error_after_hours') if limit.get('error_after_hours') is not none else 'null' }}
            as {{ dbt.type_float() }}) as error_after_hours
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
),

aged as (
    select
        latest_loads.source_table,
        latest_loads.max_loaded_at,
        {{ dbt.datediff('latest_loads.max_loaded_at', current_timestamp_utc(), 'second') }} / 3600.0
            as age_hours,
        limits.warn_after_hours,
        limits.error_after_hours
    from latest_loads
    inner join limits
        on latest_loads.source_table = limits.source_table
),

judged as (
    select
        aged.*,
        case
            when max_loaded_at is null then 'warn'
            when age_hours > error_after_hours then 'error'
            when age_hours > warn_after_hours then 'warn'
            else 'pass'
        end as status
    from aged
),

final as (
    select
        source_table,
        max_loaded_at,
        age_hours,
        warn_after_hours,
        error_after_hours,
        status,
        case
            when max_loaded_at is null
                then 'raw.' || source_table || ': freshness unknown, no load time (loaded_at is empty in every row)'
            else
                'raw.' || source_table || ': last loaded '
                || cast(round(age_hours, 1) as {{ dbt.type_string() }}) || ' hours ago'
                || case
                    when status = 'error'
                        then ', more than error_after ('
                        || cast(error_after_hours as {{ dbt.type_string() }}) || ' hours)'
                    when status = 'warn'
                        then ', more than warn_after ('
                        || cast(warn_after_hours as {{ dbt.type_string() }}) || ' hours)'
                    else ''
                end
        end as message
    from judged
)

select * from final
