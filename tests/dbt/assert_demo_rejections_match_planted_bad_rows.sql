-- Demo mode: staging rejects exactly the bad rows the generator planted, for the
-- reason it planted them. Returns every (table, reason) whose counts differ.
{{ config(enabled=var('raw_source') == 'demo') }}

with

planted as (
    select
        table_name,
        reject_reason,
        expected_rows
    from {{ ref('demo_truth_rejections') }}
),

rejected as (
    select
        table_name,
        outcome as reject_reason,
        row_count as rejected_rows
    from {{ ref('mon_rejected_rows') }}
    where outcome != 'kept'
),

compared as (
    select
        coalesce(planted.table_name, rejected.table_name) as table_name,
        coalesce(planted.reject_reason, rejected.reject_reason) as reject_reason,
        coalesce(planted.expected_rows, 0) as expected_rows,
        coalesce(rejected.rejected_rows, 0) as rejected_rows
    from planted
    full outer join rejected
        on
            planted.table_name = rejected.table_name
            and planted.reject_reason = rejected.reject_reason
)

select * from compared
where expected_rows != rejected_rows
