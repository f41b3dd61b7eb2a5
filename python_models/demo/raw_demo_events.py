"""Raw events from the deterministic demo generator (var raw_source = demo): the base history
plus var demo_extra_days days after it. Incremental: a build generates only the days the
table lacks (catalog_ml.demo.daily), so the daily run appends one day without regenerating
the rest; --full-refresh regenerates every day."""

from catalog_ml.demo import generate, load_time
from catalog_ml.demo.daily import (
    days_to_generate,
    extra_days_in,
    largest_day_event_id_sql,
    parse_wanted,
)
from catalog_ml.portable import scalar, to_output


def model(dbt, session):
    dbt.config(materialized="incremental")
    seed = int(dbt.config.meta_get("demo_seed"))
    scale = float(dbt.config.meta_get("demo_scale"))
    wanted = parse_wanted(dbt.config.meta_get("demo_extra_days"))
    present = None
    if dbt.is_incremental:
        present = extra_days_in(scalar(session, largest_day_event_id_sql(str(dbt.this))))
    extra_days, first_day = days_to_generate(wanted, present)
    events = generate(
        "events",
        seed=seed,
        scale=scale,
        loaded_at=load_time(),
        extra_days=extra_days,
        first_day=first_day,
    )
    return to_output(events, session)
