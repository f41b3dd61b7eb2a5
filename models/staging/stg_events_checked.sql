{#- Types, required columns, event types, price and position ranges and the key come from
    the raw data contract (models/staging/_raw__sources.yml); the rest is checked here. -#}
{{ validate_raw(
    'events',
    checks=[
        {'reason': 'before_epoch', 'column': 'event_ts',
         'when': "typed.event_ts_typed < cast('1970-01-01' as " ~ dbt.type_timestamp() ~ ")"},
        {'reason': 'in_future', 'column': 'event_ts',
         'when': 'typed.event_ts_typed > cast(' ~ dbt.current_timestamp() ~ ' as ' ~ dbt.type_timestamp() ~ ')'},
    ],
    foreign_keys={'user_id': 'stg_users', 'product_id': 'stg_products'},
) }}
