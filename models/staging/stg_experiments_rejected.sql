{{ rejected_rows('experiments') }}
