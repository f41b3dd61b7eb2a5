{{ rejected_rows('offers') }}
