"""Raw match_overrides from the deterministic demo generator (var raw_source = demo)."""

from catalog_ml.demo import generate, load_time
from catalog_ml.portable import to_output


def model(dbt, session):
    dbt.config(materialized="table")
    seed = int(dbt.config.meta_get("demo_seed"))
    scale = float(dbt.config.meta_get("demo_scale"))
    return to_output(
        generate("match_overrides", seed=seed, scale=scale, loaded_at=load_time()), session
    )
