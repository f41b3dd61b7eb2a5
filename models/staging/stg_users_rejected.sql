{{ rejected_rows('users') }}
