{{ validate_raw(
    'match_labels',
    key=['offer_id', 'product_id'],
    timestamps=['labeled_at'],
    checks=[
        {'reason': 'invalid_value', 'column': 'is_match',
         'when': clean_text('typed.is_match') ~ " not in ('0', '1')"},
        {'reason': 'invalid_value', 'column': 'split',
         'when': 'lower(' ~ clean_text('typed.split') ~ ") not in ('train', 'valid', 'test')"},
    ],
    foreign_keys={'offer_id': 'stg_offers', 'product_id': 'stg_products'},
    keep_first='labeled_at_typed desc nulls last',
) }}
