{{ rejected_rows('match_labels') }}
