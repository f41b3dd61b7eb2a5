{#- Types, required columns, accepted is_match and split values and the key come from the
    raw data contract (models/staging/_raw__sources.yml). -#}
{{ validate_raw(
    'match_labels',
    foreign_keys={'offer_id': 'stg_offers', 'product_id': 'stg_products'},
    keep_first='labeled_at_typed desc nulls last',
) }}
