-- Numbers in every listing's title (int_catalog_listing_tokens of the title): a token that
-- is a number with an optional unit (5, 13.3", 250gb, 1tb, 1080p), as its value and a
-- canonical unit (inch spellings -> in, tb -> gb x 1000, pieces -> pack; none = ''). Pair
-- features compare them: versions, capacities and sizes tell look-alike products apart.
with

tokens as (
    select distinct
        side,
        listing_id,
        token
    from {{ ref('int_catalog_listing_tokens') }}
    where is_title and {{ regexp_contains('token', '^[0-9]+([.][0-9]+)?' ~ number_unit_pattern() ~ '$') }}
),

parsed as (
    select
        side,
        listing_id,
        cast({{ regexp_extract_first('token', '^[0-9]+([.][0-9]+)?') }} as {{ dbt.type_float() }}) as parsed_value,
        {{ regexp_replace_all('token', '^[0-9]+([.][0-9]+)?', '') }} as unit
    from tokens
),

final as (
    select distinct
        side,
        listing_id,
        case
            when unit in ('"', 'in', 'inch', 'inches') then 'in'
            when unit = 'tb' then 'gb'
            when unit in ('pcs', 'pc', 'pack', 'pk', 'ct') then 'pack'
            when unit = 'lbs' then 'lb'
            else unit
        end as unit,
        round(case when unit = 'tb' then parsed_value * 1000 else parsed_value end, 3) as number_value
    from parsed
)

select * from final
