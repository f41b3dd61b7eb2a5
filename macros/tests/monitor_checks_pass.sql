{#-
    Health checks of one check_group in `model` (mon_health_summary): returns every check whose
    status is neither 'pass' nor 'not_applicable' (a model with no data for its capability, which
    passes), with status_level 1 (warn) or 2 (error). The test warns when the worst
    check warns and fails when one errors (fail_calc, warn_if, error_if), so one test per group
    surfaces the group's thresholds (for drift: vars drift_psi_warn and drift_psi_error).
-#}
{% test monitor_checks_pass(model, check_group) %}
    {{ config(fail_calc='coalesce(max(status_level), 0)', warn_if='>=1', error_if='>=2') }}

select
    *,
    case status when 'error' then 2 else 1 end as status_level
from {{ model }}
where check_group = '{{ check_group }}' and status not in ('pass', 'not_applicable')

{% endtest %}
