-- Incremental (append): rows rejected since the last build (macro rejected_rows).
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail') }}
{{ rejected_rows('events') }}
