{{ rejected_rows('products') }}
