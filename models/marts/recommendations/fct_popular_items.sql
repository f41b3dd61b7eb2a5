-- The popularity list served to users without a personal list (the cold-start fallback):
-- the var recs_popular_items most popular products from all clean events (serve cutoff),
-- as int_recs_item_popularity defines popularity (relevance grades decayed with the var
-- recs_covisitation_half_life_days), ties by product id. Products nobody interacted with
-- are left out. The serving store loads this list as is (catalog_ml.serving.store).
with

popularity as (
    select * from {{ ref('int_recs_item_popularity') }}
    where cutoff_name = 'serve' and decayed_popularity > 0
),

final as (
    select
        cast(popularity_rank as integer) as rank,
        cast(product_id as varchar) as product_id,
        cast(decayed_popularity / max(decayed_popularity) over () as double) as score,
        cast(decayed_popularity as double) as decayed_popularity,
        cast(user_count as integer) as user_count,
        cast(
            'popularity_half_life_{{ number_var("recs_covisitation_half_life_days") }}d' as varchar
        ) as model_version,
        cast({{ dbt.current_timestamp() }} as timestamp) as generated_at
    from popularity
    where popularity_rank <= {{ number_var('recs_popular_items') }}
)

select * from final
