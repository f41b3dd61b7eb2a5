with

checked as (
    select * from {{ ref('stg_match_labels_checked') }}
    where reject_reason is null
),

final as (
    select
        {{ clean_text('offer_id') }} as offer_id,
        {{ clean_text('product_id') }} as product_id,
        {{ clean_text('is_match') }} = '1' as is_match,
        coalesce(lower({{ clean_text('split') }}), 'train') as split,
        labeled_at_typed as labeled_at
    from checked
)

select * from final
