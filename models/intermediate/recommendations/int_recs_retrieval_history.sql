-- Retrieval from the user's own history: products the user met before the cutoff and has not
-- "seen" in the var recs_seen_event_types sense (with the default, products shown but not
-- acted on), by time-decayed engagement; the best var recs_candidates_per_source.
with

target_users as (
    select * from {{ ref('int_recs_target_users') }}
),

history as (
    select * from {{ ref('int_recs_user_history') }}
),

unseen as (
    select
        history.cutoff_name,
        history.user_id,
        history.product_id,
        history.history_score as source_score
    from history
    inner join target_users
        on history.cutoff_name = target_users.cutoff_name and history.user_id = target_users.user_id
    where not history.is_seen
),

final as (
    select
        *,
        row_number() over (partition by cutoff_name, user_id order by source_score desc, product_id asc) as source_rank
    from unseen
    qualify source_rank <= {{ number_var('recs_candidates_per_source') }}
)

select * from final
