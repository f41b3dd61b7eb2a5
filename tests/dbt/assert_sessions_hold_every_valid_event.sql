-- Every valid event's dedupe group (user, product, event type, second of stg_events) is in
-- int_recs_events_deduped once, and every deduplicated event in one session of
-- int_recs_sessions. Both models are incremental: a build recomputes the users with events in
-- its window (var incremental_lookback_days), so an event that arrives later than that is
-- missing here until `dbt build --full-refresh` (or a longer lookback) places it.
{{ config(group='ml_engineering') }}
with

expected as (
    select count(*) as event_groups
    from (
        select distinct
            user_id,
            product_id,
            event_type,
            date_trunc('second', event_at) as event_second
        from {{ ref('stg_events') }}
    ) as dedupe_groups
),

deduped as (
    select count(*) as deduped_events from {{ ref('int_recs_events_deduped') }}
),

sessions as (
    select coalesce(sum(event_count), 0) as session_events from {{ ref('int_recs_sessions') }}
),

final as (
    select
        expected.event_groups,
        deduped.deduped_events,
        sessions.session_events
    from expected
    cross join deduped
    cross join sessions
    where
        expected.event_groups != deduped.deduped_events
        or deduped.deduped_events != sessions.session_events
)

select * from final
