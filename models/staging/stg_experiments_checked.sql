{{ validate_raw(
    'experiments',
    key=['experiment_id'],
    timestamps=['start_at', 'end_at'],
    checks=[
        {'reason': 'invalid_value', 'column': 'end_at', 'when': 'typed.end_at_typed < typed.start_at_typed'},
    ],
) }}
