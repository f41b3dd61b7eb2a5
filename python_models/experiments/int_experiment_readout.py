"""The statistics of every experiment, variant and experiment metric (catalog_ml.experiments):
lift against control with intervals and p-values (fixed-horizon or sequential), CUPED, Holm,
sample ratio mismatch, minimum detectable effect and the decision. fct_experiment_results puts
its contract and the health columns in front."""

from catalog_ml.experiments import readout
from catalog_ml.portable import to_output, to_pandas


def model(dbt, session):
    dbt.config(materialized="table")
    return to_output(
        readout(
            # rows in key order: sums over users add up alike on every build
            user_metrics=to_pandas(
                dbt.ref("int_experiment_user_metrics"),
                order_by=["experiment_id", "metric_name", "user_id"],
            ),
            definitions=to_pandas(
                dbt.ref("int_experiment_metric_definitions"), order_by=["metric_name"]
            ),
            variants=to_pandas(
                dbt.ref("int_experiment_variants"), order_by=["experiment_id", "variant"]
            ),
            experiments=to_pandas(dbt.ref("stg_experiments"), order_by=["experiment_id"]),
            alpha=float(dbt.config.meta_get("alpha")),
            srm_alpha=float(dbt.config.meta_get("srm_alpha")),
            analysis=str(dbt.config.meta_get("analysis")),
            min_users=int(dbt.config.meta_get("min_users")),
            sequential_tuning_users=float(dbt.config.meta_get("sequential_tuning_users")),
        ),
        session,
    )
