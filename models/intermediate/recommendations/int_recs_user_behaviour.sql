-- Behaviour features per user and an anomaly (bot) score from them. Each feature is turned
-- into a robust z-score (distance from the median in units of 1.4826 x MAD, with a floor so
-- that a feature almost everybody shares cannot blow up); the score is mean(clipped z) /
-- (mean(clipped z) + 3), in [0, 1), 0.5 when the user is on average 3 robust deviations out.
-- A signal a user has no evidence for abstains: click_share without clicks or impressions (a
-- purchases-only log) is null, not 0/0 = NaN (DuckDB orders NaN above every number, so a
-- clipped NaN would be the maximum z), and its z adds 0: missing data never raises a score.
-- Users at or above var recs_bot_score_threshold are excluded from everything that learns.
with

events as (
    select * from {{ ref('int_recs_events_deduped') }}
),

sessions as (
    select * from {{ ref('int_recs_sessions') }}
),

next_events as (
    select
        *,
        {{ dbt.datediff(
            'event_at', 'lead(event_at) over (partition by user_id order by event_at, event_id)', 'second'
        ) }}
            as seconds_to_next
    from events
),

per_user as (
    select
        user_id,
        count(*) as event_count,
        count(distinct cast(event_at as date)) as active_days,
        sum(case when event_type = 'click' then 1 else 0 end) as click_count,
        sum(case when event_type = 'impression' then 1 else 0 end) as impression_count,
        sum(case when event_type = 'purchase' then 1 else 0 end) as purchase_count,
        sum(case when event_type = 'click' and seconds_to_next < 5 then 1 else 0 end) as fast_click_count,
        avg(
            case
                when seconds_since_previous <= {{ number_var('recs_session_gap_minutes') }} * 60
                    then seconds_since_previous
            end
        )
            as mean_gap_seconds,
        -- stddev_samp adds floats in the engine's order: rounded so the bot flag is the same on rebuilds
        {{ deterministic_round(
            'stddev_samp(case when seconds_since_previous <= ' ~ number_var('recs_session_gap_minutes')
            ~ ' * 60 then seconds_since_previous end)'
        ) }} as stddev_gap_seconds,
        count(
            case when seconds_since_previous <= {{ number_var('recs_session_gap_minutes') }} * 60 then 1 end
        ) as gap_count
    from next_events
    group by user_id
),

per_user_sessions as (
    select
        user_id,
        count(*) as session_count,
        avg(product_count) as products_per_session
    from sessions
    group by user_id
),

features as (
    select
        per_user.user_id,
        per_user.event_count,
        per_user_sessions.session_count,
        per_user.purchase_count,
        ln(1 + per_user.event_count * 1.0 / per_user.active_days) as log_events_per_active_day,
        ln(1 + per_user_sessions.products_per_session) as log_products_per_session,
        case when per_user.click_count > 0 then per_user.fast_click_count * 1.0 / per_user.click_count else 0 end
            as fast_click_share,
        per_user.click_count * 1.0 / nullif(per_user.click_count + per_user.impression_count, 0) as click_share,
        -- regular pacing: 1 - coefficient of variation of gaps inside sessions; no evidence below 3 gaps
        case
            when per_user.gap_count >= 3 and per_user.mean_gap_seconds > 0
                then 1 - least(coalesce(per_user.stddev_gap_seconds, 0) / per_user.mean_gap_seconds, 1)
            else 0
        end as gap_regularity
    from per_user
    inner join per_user_sessions on per_user.user_id = per_user_sessions.user_id
),

medians as (
    select
        median(log_events_per_active_day) as rate_median,
        median(log_products_per_session) as breadth_median,
        median(fast_click_share) as fast_median,
        median(click_share) as click_median,
        median(gap_regularity) as regularity_median
    from features
),

deviations as (
    select
        median(abs(features.log_events_per_active_day - medians.rate_median)) as rate_mad,
        median(abs(features.log_products_per_session - medians.breadth_median)) as breadth_mad,
        median(abs(features.fast_click_share - medians.fast_median)) as fast_mad,
        median(abs(features.click_share - medians.click_median)) as click_mad,
        median(abs(features.gap_regularity - medians.regularity_median)) as regularity_mad
    from features
    cross join medians
),

robust_z as (
    select
        features.*,
        {{ recs_robust_z('features.log_events_per_active_day', 'medians.rate_median', 'deviations.rate_mad', 0.5) }}
            as rate_z,
        {{ recs_robust_z(
            'features.log_products_per_session', 'medians.breadth_median', 'deviations.breadth_mad', 0.5
        ) }} as breadth_z,
        {{ recs_robust_z('features.fast_click_share', 'medians.fast_median', 'deviations.fast_mad', 0.05) }}
            as fast_click_z,
        {{ recs_robust_z('features.click_share', 'medians.click_median', 'deviations.click_mad', 0.1) }} as click_z,
        {{ recs_robust_z('features.gap_regularity', 'medians.regularity_median', 'deviations.regularity_mad', 0.1) }}
            as regularity_z
    from features
    cross join medians
    cross join deviations
),

scored as (
    select
        *,
        (rate_z + breadth_z + fast_click_z + coalesce(click_z, 0) + regularity_z) / 5.0 as anomaly
    from robust_z
),

final as (
    select
        user_id,
        event_count,
        session_count,
        purchase_count,
        log_events_per_active_day,
        log_products_per_session,
        fast_click_share,
        click_share,
        gap_regularity,
        anomaly / (anomaly + 3) as bot_score,
        anomaly / (anomaly + 3) >= {{ number_var('recs_bot_score_threshold') }} as is_bot
    from scored
)

select * from final
