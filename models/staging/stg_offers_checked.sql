{#- Types, required columns, the price range and the key come from the raw data contract
    (models/staging/_raw__sources.yml); a title with nothing left after normalisation is
    checked here (listing_checks, shared with stg_products_checked). -#}
{{ validate_raw(
    'offers',
    checks=listing_checks(),
    keep_first='ingested_at_typed desc nulls last',
) }}
