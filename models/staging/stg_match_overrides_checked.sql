{#- Types, required columns and the key come from the raw data contract
    (models/staging/_raw__sources.yml). -#}
{{ validate_raw(
    'match_overrides',
    foreign_keys={'offer_id': 'stg_offers', 'product_id': 'stg_products'},
) }}
