-- Every valid event once, in sessions built from the user's own clock: a repeat of the same
-- user, product and event type in the same second is a duplicate (double-fired tracking), and
-- a gap longer than var recs_session_gap_minutes starts a new session (the raw session_id is
-- optional in the raw contract, so sessions never depend on it).
-- Incremental: a build replaces the whole history of every user with an event in the window
-- (macro recs_incremental_window: whole days from var incremental_lookback_days before the
-- latest event held), which places late events inside the window exactly as a full refresh
-- does; an event later than that fails assert_sessions_hold_every_valid_event once.
{{ config(
    materialized='incremental', incremental_strategy='delete+insert', unique_key='user_id',
    on_schema_change='fail'
) }}
with

events as (
    select * from {{ ref('stg_events') }}
    {%- if is_incremental() %}
    where user_id in (
        select recent.user_id from {{ ref('stg_events') }} as recent
        where recent.event_at >= ({{ recs_incremental_window(this, 'event_at') }})
    )
    {%- endif %}
),

deduped as (
    select
        event_id,
        user_id,
        product_id,
        event_type,
        event_at
    from events
    qualify row_number() over (
        partition by user_id, product_id, event_type, date_trunc('second', event_at)
        order by event_at, event_id
    ) = 1
),

gaps as (
    select
        *,
        {{ dbt.datediff(
            'lag(event_at) over (partition by user_id order by event_at, event_id)', 'event_at', 'second'
        ) }}
            as seconds_since_previous
    from deduped
),

numbered as (
    select
        *,
        sum(
            case
                when
                    seconds_since_previous is null
                    or seconds_since_previous > {{ number_var('recs_session_gap_minutes') }} * 60
                    then 1
                else 0
            end
        ) over (partition by user_id order by event_at, event_id rows unbounded preceding) as session_number
    from gaps
),

final as (
    select
        event_id,
        user_id,
        product_id,
        event_type,
        event_at,
        user_id || '-' || cast(session_number as varchar) as session_key,
        seconds_since_previous
    from numbered
)

select * from final
