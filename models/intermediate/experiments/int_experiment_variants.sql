-- The experiment registry's planned variants: expected_split 'control:0.5,treatment:0.5'
-- as one row per (experiment, variant) with its expected share of users.
with

experiments as (
    select * from {{ ref('stg_experiments') }}
),

split_lists as (
    select
        experiment_id,
        replace(expected_split, ',', ' ') as split_list
    from experiments
),

split_items as (
    {{ split_to_rows('split_lists', 'experiment_id', 'split_list') }}
),

final as (
    select
        experiment_id,
        {{ dbt.split_part('token', "':'", 1) }} as variant,
        {{ dbt.safe_cast(dbt.split_part('token', "':'", 2), dbt.type_float()) }} as expected_share,
        {{ dbt.split_part('token', "':'", 1) }} = 'control' as is_control
    from split_items
    where token != ''
)

select * from final
