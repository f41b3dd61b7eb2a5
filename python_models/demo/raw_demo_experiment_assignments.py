"""Raw experiment_assignments from the deterministic demo generator (var raw_source = demo)."""

from catalog_ml.demo import generate, load_time
from catalog_ml.portable import to_output


def model(dbt, session):
    dbt.config(materialized="table")
    # dbt finds meta_get calls only as statements or call arguments (not inside `a or b`).
    srm_experiment = dbt.config.meta_get("srm_experiment")
    table = generate(
        "experiment_assignments",
        seed=int(dbt.config.meta_get("demo_seed")),
        scale=float(dbt.config.meta_get("demo_scale")),
        srm_experiment=srm_experiment or None,
        srm_drop_share=float(dbt.config.meta_get("srm_drop_share")),
        loaded_at=load_time(),
    )
    return to_output(table, session)
