-- How well the bot filter (int_recs_user_behaviour, var recs_bot_score_threshold) finds the
-- bots the demo generator planted (demo_truth_users): precision, recall and F1 over users with
-- events. Demo mode only (the ground truth exists only there).
with

behaviour as (
    select * from {{ ref('int_recs_user_behaviour') }}
),

truth as (
    select * from {{ ref('demo_truth_users') }}
),

joined as (
    select
        behaviour.is_bot as is_flagged,
        coalesce(cast(truth.is_bot as boolean), false) as is_planted_bot
    from behaviour
    left join truth on behaviour.user_id = truth.user_id
),

counts as (
    select
        count(*) as users_with_events,
        sum(case when is_planted_bot then 1 else 0 end) as planted_bots,
        sum(case when is_flagged then 1 else 0 end) as flagged_users,
        sum(case when is_flagged and is_planted_bot then 1 else 0 end) as true_positives
    from joined
),

final as (
    select
        users_with_events,
        planted_bots,
        flagged_users,
        true_positives,
        {{ number_var('recs_bot_score_threshold') }} as bot_score_threshold,
        true_positives * 1.0 / nullif(flagged_users, 0) as bot_precision,
        true_positives * 1.0 / nullif(planted_bots, 0) as bot_recall,
        2.0 * true_positives / nullif(flagged_users + planted_bots, 0) as bot_f1
    from counts
)

select * from final
