-- How good metadata inference is: the champion's accuracy on the held-out catalog products
-- whose value is known (is_out_of_fold: no version trains on them), overall and above var
-- metadata_confidence_bar (with the share of predictions that clear the bar), per attribute.
with

predictions as (
    select * from {{ ref('ml_metadata_predictions') }}
    where is_out_of_fold
),

final as (
    select
        attribute,
        count(*) as evaluated_products,
        avg(case when predicted_value = actual_value then 1.0 else 0.0 end) as accuracy,
        avg(
            case when confidence >= {{ number_var('metadata_confidence_bar') }} then 1.0 else 0.0 end
        ) as share_above_bar,
        avg(
            case
                when confidence >= {{ number_var('metadata_confidence_bar') }}
                    then case when predicted_value = actual_value then 1.0 else 0.0 end
            end
        ) as accuracy_above_bar
    from predictions
    group by attribute
)

select * from final
