{#- Fails with each row where `expression` (SQL over the model's columns) is not true: false
    or null. On a column, it states what the column must hold in terms of the row. -#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce({{ expression }}, false)

{% endtest %}
