{{ validate_raw(
    'offers',
    key=['offer_id'],
    numbers={'price': 'decimal(18, 2)'},
    timestamps=['ingested_at'],
    checks=[
        {'reason': 'unusable_title', 'column': 'title', 'when': normalize_text('typed.title') ~ ' is null'},
        {'reason': 'negative_price', 'column': 'price', 'when': 'typed.price_typed < 0'},
    ],
    keep_first='ingested_at_typed desc nulls last',
) }}
