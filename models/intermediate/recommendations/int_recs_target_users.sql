-- The users each cutoff ranks for. train and eval: users with at least one interaction
-- before the cutoff and at least one new relevant item after it (the evaluated users);
-- serve: every known user (users without history get the popularity fallback).
with

users as (
    select * from {{ ref('stg_users') }}
),

history as (
    select * from {{ ref('int_recs_user_history') }}
    where interaction_count > 0
),

labels as (
    select * from {{ ref('int_recs_ranker_labels') }}
),

with_both_sides as (
    select distinct
        labels.cutoff_name,
        labels.user_id
    from labels
    inner join history on labels.cutoff_name = history.cutoff_name and labels.user_id = history.user_id
),

final as (
    select
        with_both_sides.cutoff_name,
        with_both_sides.user_id,
        coalesce(users.segment, 'unknown') as user_segment
    from with_both_sides
    inner join users on with_both_sides.user_id = users.user_id
    union all
    select
        'serve' as cutoff_name,
        user_id,
        coalesce(segment, 'unknown') as user_segment
    from users
)

select * from final
