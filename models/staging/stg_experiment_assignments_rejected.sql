{{ rejected_rows('experiment_assignments') }}
