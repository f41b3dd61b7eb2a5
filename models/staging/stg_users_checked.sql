{{ validate_raw(
    'users',
    key=['user_id'],
    timestamps=['signup_at'],
    keep_first='signup_at_typed nulls last',
) }}
