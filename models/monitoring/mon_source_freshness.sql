{#-
    One row per raw table: its latest load time (the raw loaded_at column, as staging
    parsed it, over every raw row kept or rejected) against the freshness limits declared
    on the source in models/staging/_raw__sources.yml, read from the graph
    (raw_freshness_limits), so this view and `dbt source freshness` judge alike. A view:
    the age is measured when it is read.
-#}
{%- set tables = raw_table_names() %}

{%- set float = dbt.type_float() %}

with

latest_loads as (
    {%- for table_name in tables %}
        {%- set limit = raw_freshness_limits(table_name) if execute else {} %}
        {%- set warn_after = limit.get('warn_after_hours') %}
        {%- set error_after = limit.get('error_after_hours') %}
        select
            '{{ table_name }}' as source_table,
            max(loaded_at_typed) as max_loaded_at,
            cast({{ 'null' if warn_after is none else warn_after }} as {{ float }}) as warn_after_hours,
            cast({{ 'null' if error_after is none else error_after }} as {{ float }}) as error_after_hours
        from {{ ref('stg_' ~ table_name ~ '_checked') }}
        {{ 'union all' if not loop.last }}
    {%- endfor %}
),

aged as (
    select
        source_table,
        max_loaded_at,
        24 * {{ days_between('max_loaded_at', current_timestamp_utc()) }} as age_hours,  -- noqa: LT05
        warn_after_hours,
        error_after_hours
    from latest_loads
),

judged as (
    select
        *,
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
            when status = 'error'
                then
                    'raw.' || source_table || ': last loaded ' || {{ number_text('age_hours', 1) }}
                    || ' hours ago, more than error_after (' || {{ number_text('error_after_hours', 1) }} || ' hours)'
            when status = 'warn'
                then
                    'raw.' || source_table || ': last loaded ' || {{ number_text('age_hours', 1) }}
                    || ' hours ago, more than warn_after (' || {{ number_text('warn_after_hours', 1) }} || ' hours)'
            else 'raw.' || source_table || ': last loaded ' || {{ number_text('age_hours', 1) }} || ' hours ago'
        end as message
    from judged
)

select * from final
