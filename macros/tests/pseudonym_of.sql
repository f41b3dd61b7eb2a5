{#- Referential integrity for a pseudonymised column: fails with each value of column_name
    that is not the pseudonym (macro pseudonymise) of some `field` in `to`. It proves the
    mart's ids are pseudonyms of real ones (a raw id, or one hashed with another salt, fails). -#}
{% test pseudonym_of(model, column_name, to, field) %}

with

pseudonyms as (
    select distinct {{ pseudonymise(field) }} as pseudonym
    from {{ to }}
)

select {{ column_name }}
from {{ model }}
where
    {{ column_name }} is not null
    and {{ column_name }} not in (select pseudonym from pseudonyms)

{% endtest %}
