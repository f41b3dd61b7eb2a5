{{ validate_raw(
    'events',
    key=['event_id'],
    numbers={'price': 'decimal(18, 2)', 'position': 'integer'},
    timestamps=['event_ts'],
    checks=[
        {'reason': 'unknown_event_type', 'column': 'event_type',
         'when': 'lower(' ~ clean_text('typed.event_type') ~ ") not in ("
            ~ "'impression', 'click', 'add_to_cart', 'purchase', 'hide')"},
        {'reason': 'negative_price', 'column': 'price', 'when': 'typed.price_typed < 0'},
        {'reason': 'before_epoch', 'column': 'event_ts',
         'when': "typed.event_ts_typed < cast('1970-01-01' as " ~ dbt.type_timestamp() ~ ")"},
        {'reason': 'in_future', 'column': 'event_ts',
         'when': 'typed.event_ts_typed > cast(' ~ dbt.current_timestamp() ~ ' as ' ~ dbt.type_timestamp() ~ ')'},
    ],
    foreign_keys={'user_id': 'stg_users', 'product_id': 'stg_products'},
) }}
