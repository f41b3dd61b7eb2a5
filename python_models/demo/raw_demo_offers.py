"""Raw offers from the deterministic demo generator (var raw_source = demo); var
demo_price_shift (1 = none) multiplies the prices of the latest week's offers."""

from catalog_ml.demo import generate, load_time
from catalog_ml.portable import to_output


def model(dbt, session):
    dbt.config(materialized="table")
    seed = int(dbt.config.meta_get("demo_seed"))
    scale = float(dbt.config.meta_get("demo_scale"))
    price_shift = float(dbt.config.meta_get("demo_price_shift"))
    return to_output(
        generate("offers", seed=seed, scale=scale, price_shift=price_shift, loaded_at=load_time()),
        session,
    )
