with

checked as (
    select * from {{ ref('stg_users_checked') }}
    where reject_reason is null
),

final as (
    select
        {{ clean_text('user_id') }} as user_id,
        signup_at_typed as signup_at,
        upper({{ clean_text('country') }}) as country,
        coalesce(lower({{ clean_text('segment') }}), 'unknown') as segment
    from checked
)

select * from final
