-- The interactions each experiment counts, one row per experiment and interaction: a counted
-- assignment's interactions from assignment to the experiment's end, or a switchback slot's
-- end (int_experiment_windows), the window the readout (int_experiment_user_metrics)
-- counts. A user in two experiments has an interaction here once per experiment, so the
-- semantic layer's experiment_* metrics split by experiment and variant without fanning out
-- fct_interactions.
with

windows as (
    select * from {{ ref('int_experiment_windows') }}
),

interactions as (
    select * from {{ ref('fct_interactions') }}
),

final as (
    select
        windows.experiment_id,
        windows.variant,
        interactions.event_id,
        interactions.user_id,
        interactions.event_at,
        interactions.event_date,
        {%- for event_type in ['impression', 'click', 'add_to_cart', 'purchase', 'hide'] %}
            interactions.is_{{ event_type }},
        {%- endfor %}
        interactions.revenue
    from windows
    -- fct_interactions holds pseudonymised user ids (macro pseudonymise): join on the pseudonym.
    inner join interactions
        on
            windows.user_pseudonym = interactions.user_id
            and windows.assigned_at <= interactions.event_at
            and windows.end_at > interactions.event_at
)

select * from final
