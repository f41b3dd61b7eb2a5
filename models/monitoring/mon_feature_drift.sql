-- Feature and score drift of each champion: the population stability index (macro psi) of
-- every feature its registry row lists, and of its score, between the reference (training)
-- population and the latest scoring window (mon_feature_drift_inputs says which rows those
-- are). Status: 'error' at var drift_psi_error or above, 'warn' at var drift_psi_warn or
-- above; inputs that cannot be compared get a status and a message instead of a number.
-- Sample size: two samples of one distribution give a PSI of about (bins - 1) x (1 / n_reference
-- + 1 / n_window) by chance alone, n counting independent units (offers or users,
-- mon_feature_drift_inputs.unit_id), not rows: a small shop's 50 users, whose 2,500 candidate
-- rows repeat the same 50 user values, give about 0.36 with 10 bins. Where that noise floor
-- reaches var drift_psi_warn, a PSI cannot be told from noise: it warns at most, and the
-- message says why.
{{ config(materialized='table') }}

with

inputs as (
    select * from {{ ref('mon_feature_drift_inputs') }}
),

-- every champion feature, so one without values says so; a feature watched through numeric
-- summaries (macro is_feature_column) is expected as those summaries, from inputs
expected as (
    select
        champion_features.model_name,
        champion_features.model_version,
        champion_features.feature_name,
        'feature' as value_kind
    from {{ ref('mon_champion_features') }} as champion_features
    where
        not exists (
            select 1
            from inputs
            where
                inputs.model_name = champion_features.model_name
                and inputs.feature_name != champion_features.feature_name
                and {{ is_feature_column('inputs.feature_name', 'champion_features.feature_name') }}
        )
    union
    select distinct
        model_name,
        model_version,
        feature_name,
        value_kind
    from inputs
),

units as (
    select
        model_name,
        model_version,
        feature_name,
        count(distinct case when population = 'reference' then unit_id end) as reference_units,
        count(distinct case when population = 'window' then unit_id end) as window_units
    from inputs
    group by model_name, model_version, feature_name
),

indices as (
    {{ psi(
        'inputs', ['model_name', 'model_version', 'feature_name'], number_var('drift_psi_bins'), number_var('drift_psi_epsilon')
    ) }}
),

compared as (
    select
        expected.model_name,
        expected.model_version,
        expected.feature_name,
        expected.value_kind,
        coalesce(indices.reference_rows, 0) as reference_rows,
        coalesce(indices.window_rows, 0) as window_rows,
        indices.reference_null_share,
        indices.window_null_share,
        coalesce(indices.reference_distinct_values, 0) as reference_distinct_values,
        coalesce(units.reference_units, 0) as reference_units,
        coalesce(units.window_units, 0) as window_units,
        round(indices.psi, 6) as psi
    from expected
    left join indices
        on
            expected.model_name = indices.model_name
            and expected.model_version = indices.model_version
            and expected.feature_name = indices.feature_name
    left join units
        on
            expected.model_name = units.model_name
            and expected.model_version = units.model_version
            and expected.feature_name = units.feature_name
),

judged as (
    select
        *,
        coalesce(
            ({{ number_var('drift_psi_bins') }} - 1)
            * (1.0 / nullif(reference_units, 0) + 1.0 / nullif(window_units, 0))
            >= {{ number_var('drift_psi_warn') }},
            false
        ) as has_too_few_units
    from compared
),

final as (
    select
        *,
        case
            when reference_rows = 0 or window_rows = 0 then 'warn'
            when reference_null_share = 1 and window_null_share = 1 then 'warn'
            when has_too_few_units and psi >= {{ number_var('drift_psi_warn') }} then 'warn'
            else {{ status_from_thresholds('psi', number_var('drift_psi_warn'), number_var('drift_psi_error')) }}
        end as status,
        case
            when reference_rows = 0 and window_rows = 0
                then
                    'not compared: no ' || feature_name || ' values in the reference or the window'
                    || ' (not a column of the scoring data, or nothing was scored)'
            when reference_rows = 0
                then 'not compared: the reference (training population) has no rows'
            when window_rows = 0
                then 'not compared: no rows in the latest scoring window (nothing scored in it)'
            when reference_null_share = 1 and window_null_share = 1
                then 'all values null in the reference and the window: the feature carries no information'
            else
                'PSI ' || {{ number_text('psi') }}
                || case
                    when psi >= {{ number_var('drift_psi_error') }}
                        then ' >= error threshold {{ number_var('drift_psi_error') }}'
                    when psi >= {{ number_var('drift_psi_warn') }}
                        then ' >= warn threshold {{ number_var('drift_psi_warn') }}'
                    else ' < warn threshold {{ number_var('drift_psi_warn') }}'
                end
                || ' (reference ' || cast(reference_rows as {{ dbt.type_string() }}) || ' rows, window '
                || cast(window_rows as {{ dbt.type_string() }}) || ' rows, null share '
                || {{ number_text('reference_null_share', 2) }} || ' -> ' || {{ number_text('window_null_share', 2) }}
                || case when window_null_share = 1 then '; all null in the window' else '' end
                || ')'
                || case
                    when has_too_few_units
                        then
                            '; only ' || cast(reference_units as {{ dbt.type_string() }}) || ' reference and '
                            || cast(window_units as {{ dbt.type_string() }})
                            || ' window units (offers or users): chance alone gives a PSI of about '
                            || {{ number_text(
                                '(' ~ number_var('drift_psi_bins') ~ ' - 1) * (1.0 / reference_units + 1.0 / window_units)', 2
                            ) }}
                            || ', so this is not judged above a warning'
                    else ''
                end
        end as message
    from judged
)

select * from final
