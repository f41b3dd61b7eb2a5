-- int_recs_ease_neighbours keeps only positive EASE weights and never relates a product to
-- itself (the diagonal of B is zero): any row returned here breaks that.
select *
from {{ ref('int_recs_ease_neighbours') }}
where not ease_score > 0 or product_id = related_product_id
