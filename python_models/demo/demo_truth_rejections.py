"""Ground truth the demo generator planted (rejections), kept to check later evaluation."""

from catalog_ml.demo import generate
from catalog_ml.portable import to_output


def model(dbt, session):
    dbt.config(materialized="table")
    seed = int(dbt.config.meta_get("demo_seed"))
    scale = float(dbt.config.meta_get("demo_scale"))
    return to_output(generate("truth_rejections", seed=seed, scale=scale), session)
