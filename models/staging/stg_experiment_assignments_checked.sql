{#- Types, required columns and the key come from the raw data contract
    (models/staging/_raw__sources.yml). -#}
{{ validate_raw(
    'experiment_assignments',
    foreign_keys={'experiment_id': 'stg_experiments', 'user_id': 'stg_users'},
    keep_first='assigned_at_typed nulls last',
) }}
