-- Assignments the experiment readout does not count, with the reason.
select
    experiment_id,
    user_id,
    variant,
    assigned_at,
    unit_id,
    reject_reason
from {{ ref('int_experiment_assignments_checked') }}
where reject_reason is not null
