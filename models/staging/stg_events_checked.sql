{#- Types, required columns, event types, price and position ranges, times before the epoch
    or in the future and the key come from the raw data contract
    (models/staging/_raw__sources.yml); foreign keys are checked here. Events only grow:
    incremental, an incremental build checks the rows loaded since the last one (loaded_at). -#}
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail') }}
{{ validate_raw(
    'events',
    foreign_keys={'user_id': 'stg_users', 'product_id': 'stg_products'},
    incremental_by='loaded_at',
) }}
