"""The demo's daily run: which event days a build generates, and which day comes next.

The demo's events are a base history (day 0) plus var demo_extra_days days after it (each day
seeded on its own: catalog_ml.demo.events). raw_demo_events is incremental: a build generates
only the days its table lacks. Event ids of day d > 0 start with `ED` and the day in three
digits (`ED001...`), so the days a table holds are read from its largest such id.
`python -m catalog_ml.demo.daily <duckdb file>` prints the next day (`make daily`).
"""

from __future__ import annotations

import sys
from pathlib import Path

DAY_ID_PREFIX = "ED"
RAW_EVENTS_MODEL = "raw_demo_events"


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


def next_day(path: str | Path) -> int:
    """The day `make daily` appends to the demo build in the DuckDB file at `path`."""
    from catalog_ml.warehouse import connect

    if not Path(path).exists():
        raise SystemExit(f"{path} does not exist: run `make demo` before `make daily`")
    con = connect(path, read_only=True)
    try:
        (largest,) = con.execute(largest_day_event_id_sql(RAW_EVENTS_MODEL)).fetchone()
    finally:
        con.close()
    return extra_days_in(largest) + 1


if __name__ == "__main__":
    print(next_day(sys.argv[1]))
