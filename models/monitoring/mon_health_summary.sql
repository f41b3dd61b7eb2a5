-- Is everything healthy? One row per check, status 'pass', 'warn', 'error' or
-- 'not_applicable' with the observed value, the threshold it was held to and a message.
-- Groups: drift (mon_feature_drift), skew (mon_training_serving_skew), freshness
-- (mon_source_freshness), rejected_rows (mon_rejected_rows) and registry (mon_model_registry:
-- exactly one champion per model, pinned versions). A group with no checks at all reports that
-- as a warning rather than passing silently; a model without a champion gets an error in every
-- group, unless it is not applicable: its input (declared in macro ml_models) has no rows and it
-- was never trained, as when a folder holds no data for its capability. Data that exists but is
-- too small to train on stays an error. Tests (one per group, macro monitor_checks_pass) warn
-- and fail the build on these statuses; not_applicable counts as a pass.
{{ config(materialized='table') }}

{%- set trainers = ml_models() %}

with

drift as (
    select * from {{ ref('mon_feature_drift') }}
),

skew as (
    select * from {{ ref('mon_training_serving_skew') }}
),

registry as (
    select * from {{ ref('mon_model_registry') }}
),

rejected as (
    select * from {{ ref('mon_rejected_rows') }}
),

source_freshness as (
    select * from {{ ref('mon_source_freshness') }}
),

expected_models as (
    {%- for trainer in trainers %}
        select
            '{{ trainer.model_name }}' as model_name,
            {{ sql_string(trainer.pinned) if trainer.pinned else 'cast(null as ' ~ dbt.type_string() ~ ')' }}
                as pinned_version,
            '{{ trainer.input }}' as input_model,
            (select count(*) from {{ ref(trainer.input) }}) as input_rows
        {{ 'union all' if not loop.last }}
    {%- endfor %}
),

champions as (
    select
        expected_models.model_name,
        expected_models.pinned_version,
        expected_models.input_model,
        expected_models.input_rows,
        count(registry.model_version) as registered_versions,
        count(case when registry.is_champion then 1 end) as champion_count,
        max(case when registry.is_champion then registry.model_version end) as champion_version,
        max(case when registry.model_version = expected_models.pinned_version then 1 else 0 end) as is_pin_registered
    from expected_models
    left join registry on expected_models.model_name = registry.model_name
    group by
        expected_models.model_name,
        expected_models.pinned_version,
        expected_models.input_model,
        expected_models.input_rows
),

-- Not applicable: nothing to learn from (the input has no rows) and never trained. A model
-- with a champion from an earlier build still scores, so its checks run as usual.
applicability as (
    select
        *,
        coalesce(input_rows = 0 and registered_versions = 0, false) as is_not_applicable,
        'not applicable: ' || model_name || ' learns from ' || input_model
        || ', which has no rows (no data for this capability), so there is nothing to train, score or monitor'
            as not_applicable_message
    from champions
),

registry_checks as (
    select
        'one_champion' as check_name,
        'registry' as check_group,
        model_name as subject,
        case
            when is_not_applicable then 'not_applicable'
            when champion_count = 1 then 'pass'
            else 'error'
        end as status,
        cast(champion_count as {{ dbt.type_float() }}) as observed_value,
        cast(1 as {{ dbt.type_float() }}) as threshold,
        case
            when is_not_applicable then not_applicable_message
            when registered_versions = 0
                then
                    'no champion: ' || model_name || ' has no version in the registry (never trained, or'
                    || ' too little training data); scoring falls back or scores nothing'
            when champion_count = 0 and pinned_version is not null
                then 'no champion: pinned version ' || pinned_version || ' of ' || model_name || ' is not registered'
            when champion_count = 0
                then
                    'no champion: none of the ' || cast(registered_versions as {{ dbt.type_string() }})
                    || ' registered versions of ' || model_name || ' was promoted'
            when champion_count > 1
                then
                    cast(champion_count as {{ dbt.type_string() }}) || ' champions of ' || model_name
                    || ': scoring needs exactly one'
            else
                'champion ' || champion_version || ' (' || cast(registered_versions as {{ dbt.type_string() }})
                || ' registered versions)'
        end as message
    from applicability
    union all
    select
        'pinned_version' as check_name,
        'registry' as check_group,
        model_name as subject,
        case
            when is_not_applicable then 'not_applicable'
            when pinned_version is null then 'pass'
            when is_pin_registered = 1 then 'warn'
            else 'error'
        end as status,
        cast(null as {{ dbt.type_float() }}) as observed_value,
        cast(null as {{ dbt.type_float() }}) as threshold,
        case
            when is_not_applicable then not_applicable_message
            when pinned_version is null then 'no version pinned: the latest promoted version scores'
            when is_pin_registered = 1
                then 'version ' || pinned_version || ' pinned by var (rollback in effect): newer champions do not score'
            else 'pinned version ' || pinned_version || ' is not registered: scoring fails or uses nothing'
        end as message
    from applicability
),

-- A model without a champion has no features to watch: say so in the drift and skew groups
-- (an error, or not_applicable with the reason when the model has nothing to learn from).
monitored_groups as (
    select 'drift' as check_group
    union all
    select 'skew' as check_group
),

unmonitored_models as (
    select
        monitored_groups.check_group,
        applicability.model_name,
        case when applicability.is_not_applicable then 'not_applicable' else 'error' end as status,
        case
            when applicability.is_not_applicable then applicability.not_applicable_message
            else 'not computed: ' || applicability.model_name || ' has no champion (see the registry checks)'
        end as message
    from applicability
    cross join monitored_groups
    where applicability.champion_count != 1
),

drift_checks as (
    select
        case value_kind when 'score' then 'score_drift_psi' else 'feature_drift_psi' end as check_name,
        'drift' as check_group,
        model_name || '.' || feature_name as subject,
        status,
        psi as observed_value,
        cast(
            case
                when status = 'error' then {{ number_var('drift_psi_error') }}
                else {{ number_var('drift_psi_warn') }}
            end
            as {{ dbt.type_float() }}
        ) as threshold,
        message
    from drift
),

skew_checks as (
    select
        'training_serving_skew' as check_name,
        'skew' as check_group,
        model_name || '.' || feature_name as subject,
        status,
        cast(mismatched_rows as {{ dbt.type_float() }}) as observed_value,
        cast(0 as {{ dbt.type_float() }}) as threshold,
        message
    from skew
),

freshness_checks as (
    select
        'source_freshness' as check_name,
        'freshness' as check_group,
        source_table as subject,
        case when status in ('pass', 'warn', 'error') then status else 'error' end as status,
        age_hours as observed_value,
        case when status = 'error' then error_after_hours else warn_after_hours end as threshold,
        message
    from source_freshness
),

rejected_rates as (
    select
        table_name,
        max(rows_in) as rows_in,
        sum(case when outcome != 'kept' then row_count else 0 end) as rejected_rows
    from rejected
    group by table_name
),

rejected_checks as (
    select
        'rejected_row_rate' as check_name,
        'rejected_rows' as check_group,
        table_name as subject,
        case
            when rows_in = 0 then 'warn'
            else
                {{ status_from_thresholds(
                    'rejected_rows * 1.0 / rows_in', number_var('rejected_rate_warn'), number_var('rejected_rate_error')
                ) }}
        end as status,
        cast(rejected_rows * 1.0 / nullif(rows_in, 0) as {{ dbt.type_float() }}) as observed_value,
        cast(
            case
                when rejected_rows * 1.0 / nullif(rows_in, 0) >= {{ number_var('rejected_rate_error') }}
                    then {{ number_var('rejected_rate_error') }}
                else {{ number_var('rejected_rate_warn') }}
            end as {{ dbt.type_float() }}
        ) as threshold,
        case
            when rows_in = 0 then 'no raw rows in ' || table_name
            else
                cast(rejected_rows as {{ dbt.type_string() }}) || ' of ' || cast(rows_in as {{ dbt.type_string() }})
                || ' raw rows rejected (' || {{ number_text('100.0 * rejected_rows / rows_in', 2) }}
                || '%; warn at ' || {{ number_text(100 * number_var('rejected_rate_warn'), 2) }}
                || '%, error at ' || {{ number_text(100 * number_var('rejected_rate_error'), 2) }}
                || '%; reasons in mon_rejected_rows)'
        end as message
    from rejected_rates
),

checks as (
    select * from registry_checks
    union all
    select * from drift_checks
    union all
    select * from skew_checks
    union all
    select * from freshness_checks
    union all
    select * from rejected_checks
    union all
    select
        case check_group when 'drift' then 'feature_drift_psi' else 'training_serving_skew' end as check_name,
        check_group,
        model_name as subject,
        status,
        cast(null as {{ dbt.type_float() }}) as observed_value,
        cast(null as {{ dbt.type_float() }}) as threshold,
        message
    from unmonitored_models
),

check_groups as (
    select 'drift' as check_group
    union all
    select 'skew' as check_group
    union all
    select 'freshness' as check_group
    union all
    select 'rejected_rows' as check_group
    union all
    select 'registry' as check_group
),

empty_groups as (
    select
        'group_has_checks' as check_name,
        check_groups.check_group,
        check_groups.check_group as subject,
        'warn' as status,
        cast(0 as {{ dbt.type_float() }}) as observed_value,
        cast(1 as {{ dbt.type_float() }}) as threshold,
        'no ' || check_groups.check_group || ' checks ran: nothing is monitored in this group'
            as message
    from check_groups
    left join checks on check_groups.check_group = checks.check_group
    where checks.check_group is null
),

final as (
    select * from checks
    union all
    select * from empty_groups
)

select * from final
