"""The demo's daily run: which event days a build generates, and which day comes next.

The demo's events are a base history (day 0) plus var demo_extra_days days after it (each day
seeded on its own: catalog_ml.demo.events). raw_demo_events is incremental: a build generates
only the days its table lacks. Event ids of day d > 0 start with `ED` and the day in three
digits (`ED001...`), so the days a table holds are read from its largest such id.

The daily run does not retrain the ranker every day (selectors.yml: `daily` leaves out its
trainer, `daily_retrain` is `daily` with it): the scorer keeps the registry's champion, and
the earlier training cutoffs (train_2, ...: training rows only) are not computed (var
recs_training_cutoffs 1). It retrains every `retrain_every_days`-th day, when the registry
holds no champion, or when the previous build's drift monitor (mon_feature_drift) reads
`error` for the ranker. `python -m catalog_ml.demo.daily <duckdb file> [retrain_every_days]`
prints the next day, the selector of its run and its vars (`make daily`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

DAY_ID_PREFIX = "ED"
RAW_EVENTS_MODEL = "raw_demo_events"
DAILY_SELECTOR = "daily"
RETRAIN_SELECTOR = "daily_retrain"
RETRAIN_EVERY_DAYS = 7
RANKER_MODEL_NAME = "recs_ranker"
RANKER_REGISTRY = "ml_ranker_train"
DRIFT_MONITOR = "mon_feature_drift"


def extra_days_in(largest_day_event_id: str | None) -> int:
    """Days after the base history held by a table whose largest `ED` event id is this
    (None: the table has none, 0 days)."""
    if largest_day_event_id is None:
        return 0
    day = largest_day_event_id[len(DAY_ID_PREFIX) : len(DAY_ID_PREFIX) + 3]
    if not largest_day_event_id.startswith(DAY_ID_PREFIX) or not day.isdigit():
        raise ValueError(f"demo event id {largest_day_event_id!r} does not carry a day")
    return int(day)


def largest_day_event_id_sql(relation: str) -> str:
    """The query whose one value extra_days_in reads."""
    return f"select max(event_id) from {relation} where event_id like '{DAY_ID_PREFIX}%'"


def days_to_generate(wanted: int | None, present: int | None) -> tuple[int, int]:
    """(extra_days, first_day) for the generator: `wanted` is var demo_extra_days (None: as
    many as the table holds), `present` the days the table holds (None: a first build or a
    full refresh). An incremental build adds the days after `present`; asking for fewer days
    than the table holds needs a full refresh (rows are never deleted from raw data)."""
    if wanted is not None and wanted < 0:
        raise ValueError(f"var demo_extra_days is {wanted}; it must be 0 or more")
    if present is None:
        return wanted or 0, 0
    if wanted is None:
        return present, present + 1
    if wanted < present:
        raise ValueError(
            f"var demo_extra_days is {wanted} but {RAW_EVENTS_MODEL} already holds {present}"
            " days after the base history: rebuild with --full-refresh to go back"
        )
    return wanted, present + 1


def parse_wanted(value: object) -> int | None:
    """Var demo_extra_days as it reaches a Python model through config.meta (text)."""
    text = "" if value is None else str(value).strip()
    if text.lower() in ("", "none", "null"):
        return None
    if not text.lstrip("-").isdigit():
        raise ValueError(f"var demo_extra_days is {text!r}; it must be a whole number of days")
    return int(text)


def retrains(day: int, every_days: int, has_champion: bool, has_drift_error: bool) -> bool:
    """Whether the daily run of demo day `day` retrains the ranker: on every `every_days`-th
    day (1: every day), without a champion to score with, or when drift says so."""
    if every_days < 1:
        raise ValueError(f"retrain_every_days is {every_days}; it must be 1 or more")
    return day % every_days == 0 or not has_champion or has_drift_error


def ranker_state_sql() -> str:
    """(champions, drift errors) of the ranker in a built warehouse: the query retrains reads."""
    return (
        f"select (select count(*) from {RANKER_REGISTRY}"
        f" where model_name = '{RANKER_MODEL_NAME}' and is_promoted),"
        f" (select count(*) from {DRIFT_MONITOR}"
        f" where model_name = '{RANKER_MODEL_NAME}' and status = 'error')"
    )


def next_run(path: str | Path, every_days: int = RETRAIN_EVERY_DAYS) -> tuple[int, str, dict]:
    """The day `make daily` appends to the demo build in the DuckDB file at `path`, the
    selector it builds with (RETRAIN_SELECTOR when the ranker retrains) and its dbt vars."""
    from catalog_ml.warehouse import connect

    if not Path(path).exists():
        raise SystemExit(f"{path} does not exist: run `make demo` before `make daily`")
    con = connect(path, read_only=True)
    try:
        (largest,) = con.execute(largest_day_event_id_sql(RAW_EVENTS_MODEL)).fetchone()
        champions, drift_errors = con.execute(ranker_state_sql()).fetchone()
    finally:
        con.close()
    day = extra_days_in(largest) + 1
    if retrains(day, every_days, champions > 0, drift_errors > 0):
        return day, RETRAIN_SELECTOR, {"demo_extra_days": day}
    return day, DAILY_SELECTOR, {"demo_extra_days": day, "recs_training_cutoffs": 1}


if __name__ == "__main__":
    every = int(sys.argv[2]) if len(sys.argv) > 2 else RETRAIN_EVERY_DAYS
    day, selector, dbt_vars = next_run(sys.argv[1], every)
    # one word each: the vars as flow-mapping entries without spaces (YAML reads JSON's form)
    print(day, selector, json.dumps(dbt_vars, separators=(",", ":"))[1:-1])
