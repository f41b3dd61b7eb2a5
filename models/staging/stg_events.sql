-- Incremental (append): an incremental build adds the kept rows it has not yet got (kept
-- event ids are unique, stg_events_checked rejects repeats as duplicate_id).
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail') }}
with

checked as (
    select * from {{ ref('stg_events_checked') }}
    where
        reject_reason is null
    {% if is_incremental() %}
        and {{ clean_text('event_id') }} not in (select kept_before.event_id from {{ this }} as kept_before)
    {% endif %}
),

final as (
    select
        {{ clean_text('event_id') }} as event_id,
        {{ clean_text('user_id') }} as user_id,
        {{ clean_text('product_id') }} as product_id,
        lower({{ clean_text('event_type') }}) as event_type,
        event_ts_typed as event_at,
        {{ clean_text('session_id') }} as session_id,
        {{ clean_text('request_id') }} as request_id,
        -- the raw contract's name, kept although it is a keyword
        position_typed as position,  -- noqa: RF04
        lower({{ clean_text('surface') }}) as surface,
        price_typed as price
    from checked
)

select * from final
