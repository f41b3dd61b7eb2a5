with

checked as (
    select * from {{ ref('stg_match_overrides_checked') }}
    where reject_reason is null
),

final as (
    select
        {{ clean_text('offer_id') }} as offer_id,
        {{ clean_text('product_id') }} as product_id,
        {{ clean_text('reviewer') }} as reviewer,
        {{ clean_text('reason') }} as reason,
        created_at_typed as created_at,
        row_number() over (
            partition by {{ clean_text('offer_id') }}
            order by created_at_typed desc, {{ clean_text('product_id') }} nulls last
        ) = 1 as is_latest
    from checked
)

select * from final
