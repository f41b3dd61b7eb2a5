{{ validate_raw(
    'experiment_assignments',
    key=['experiment_id', 'user_id', 'variant'],
    timestamps=['assigned_at'],
    foreign_keys={'experiment_id': 'stg_experiments', 'user_id': 'stg_users'},
    keep_first='assigned_at_typed nulls last',
) }}
