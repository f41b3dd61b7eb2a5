{{ rejected_rows('events') }}
