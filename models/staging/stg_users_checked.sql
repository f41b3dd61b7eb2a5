{#- Types, required columns and the key come from the raw data contract
    (models/staging/_raw__sources.yml). -#}
{{ validate_raw(
    'users',
    keep_first='signup_at_typed nulls last',
) }}
