"""The statistics of every experiment, variant and experiment metric (catalog_ml.experiments):
lift against control with intervals and p-values, CUPED, Holm, sample ratio mismatch and the
decision. fct_experiment_results puts its contract and the health columns in front."""

from catalog_ml.experiments import readout
from catalog_ml.portable import to_output, to_pandas


def model(dbt, session):
    dbt.config(materialized="table")
    return to_output(
        readout(
            user_metrics=to_pandas(dbt.ref("int_experiment_user_metrics")),
            definitions=to_pandas(dbt.ref("int_experiment_metric_definitions")),
            variants=to_pandas(dbt.ref("int_experiment_variants")),
            experiments=to_pandas(dbt.ref("stg_experiments")),
            alpha=float(dbt.config.meta_get("alpha")),
            srm_alpha=float(dbt.config.meta_get("srm_alpha")),
        ),
        session,
    )
