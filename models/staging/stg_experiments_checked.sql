{#- Types, required columns and the key come from the raw data contract
    (models/staging/_raw__sources.yml); an end before the start is checked here. -#}
{{ validate_raw(
    'experiments',
    checks=[
        {'reason': 'invalid_value', 'column': 'end_at', 'when': 'typed.end_at_typed < typed.start_at_typed'},
    ],
) }}
