-- One row per built session (int_recs_events_deduped), with its length and pace.
-- Incremental as int_recs_events_deduped: the sessions of every user with an event in the
-- window are replaced (macro recs_incremental_window).
{{ config(
    materialized='incremental', incremental_strategy='delete+insert', unique_key='user_id',
    on_schema_change='fail'
) }}
with

events as (
    select * from {{ ref('int_recs_events_deduped') }}
    {%- if is_incremental() %}
    where user_id in (
        select recent.user_id from {{ ref('int_recs_events_deduped') }} as recent
        where recent.event_at >= ({{ recs_incremental_window(this, 'ended_at') }})
    )
    {%- endif %}
),

final as (
    select
        session_key,
        user_id,
        min(event_at) as started_at,
        max(event_at) as ended_at,
        count(*) as event_count,
        count(distinct product_id) as product_count,
        sum(case when event_type = 'click' then 1 else 0 end) as click_count,
        sum(case when event_type = 'purchase' then 1 else 0 end) as purchase_count
    from events
    group by session_key, user_id
)

select * from final
