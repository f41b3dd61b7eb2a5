{#- Fails with each row whose `column_name` is outside [min_value, max_value] (nulls pass). -#}
{% test recs_between(model, column_name, min_value, max_value) %}

select *
from {{ model }}
where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}

{% endtest %}

{#-
    Fails with every listed (cutoff_name, user_id, product_id) row of `model` that the user had
    already seen (int_recs_user_history.is_seen) before that cutoff.
-#}
{% test recs_no_seen_item_listed(model) %}

select listed.*
from {{ model }} as listed
inner join {{ ref('int_recs_user_history') }} as seen
    on listed.cutoff_name = seen.cutoff_name
    and listed.user_id = seen.user_id
    and listed.product_id = seen.product_id
where seen.is_seen

{% endtest %}

{#- Point in time: fails with every per-cutoff history row whose last event is not before its cutoff. -#}
{% test recs_history_before_cutoff(model) %}

select history.*
from {{ model }} as history
inner join {{ ref('int_recs_cutoffs') }} as cutoffs on history.cutoff_name = cutoffs.cutoff_name
where history.last_event_at >= cutoffs.cutoff_at

{% endtest %}

{#-
    Fails with each row whose `column_name` is neither a retrieval source (macro
    recs_retrieval_sources) nor one of `other_values` (nulls pass).
-#}
{% test recs_known_source(model, column_name, other_values=[]) %}

select *
from {{ model }}
where {{ column_name }} not in {{ recs_sql_list(recs_retrieval_sources() + other_values) }}

{% endtest %}
