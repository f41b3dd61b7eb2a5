{{ validate_raw(
    'match_overrides',
    key=['offer_id', 'product_id', 'created_at'],
    timestamps=['created_at'],
    foreign_keys={'offer_id': 'stg_offers', 'product_id': 'stg_products'},
) }}
