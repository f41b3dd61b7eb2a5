{#- Types, required columns, the price range and the key come from the raw data contract
    (models/staging/_raw__sources.yml); a title with nothing left after normalisation is
    checked here. -#}
{{ validate_raw(
    'products',
    checks=[
        {'reason': 'unusable_title', 'column': 'title', 'when': normalize_text('typed.title') ~ ' is null'},
    ],
    keep_first='updated_at_typed desc nulls last',
) }}
