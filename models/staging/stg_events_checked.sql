{#- Types, required columns, event types, price and position ranges, times before the epoch
    or in the future and the key come from the raw data contract
    (models/staging/_raw__sources.yml); foreign keys are checked here. -#}
{{ validate_raw(
    'events',
    foreign_keys={'user_id': 'stg_users', 'product_id': 'stg_products'},
) }}
