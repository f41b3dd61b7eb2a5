-- Fails with each experiment whose counted randomisation units (users, or the clusters or
-- time slots of a design randomised by unit) per variant do not fit the registry's planned
-- split (chi-square p-value below var experiment_srm_alpha): the assignment or the logging is
-- broken, so none of the experiment's lifts can be trusted. The failing experiments are also
-- named in the log of `dbt build` and `dbt test`, with their units per variant.
{%- set mismatched %}
    select
        experiment_id,
        experiment_name,
        min(srm_p_value) as srm_p_value,
        {{ dbt.listagg("variant || ': ' || cast(variant_units as " ~ dbt.type_string() ~ ")", "', '", "order by variant") }}
            as units_per_variant
    from {{ ref('fct_experiment_results') }}
    where has_srm and metric_role = 'primary'
    group by experiment_id, experiment_name
{%- endset %}

{%- if execute and flags.WHICH in ['build', 'test'] %}
    {%- for row in run_query(mismatched) %}
        {{ log("Sample ratio mismatch in experiment " ~ row[0] ~ " (" ~ row[1] ~ "): p = "
            ~ '%.2g' | format(row[2]) ~ ", units per variant " ~ row[3], info=True) }}
    {%- endfor %}
{%- endif %}

{{ mismatched }}
