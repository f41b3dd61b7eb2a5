{{ rejected_rows('match_overrides') }}
