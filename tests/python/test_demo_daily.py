"""The demo's daily extension: every day is seeded on its own, so extending the history
appends days and changes none, and an incremental build generates only the missing days."""

from __future__ import annotations

import pandas as pd
import pytest

from catalog_ml.demo import generate
from catalog_ml.demo.common import DEMO_END
from catalog_ml.demo.daily import days_to_generate, extra_days_in, parse_wanted, retrains

SMALL = 0.02


def events(extra_days: int = 0, first_day: int = 0) -> pd.DataFrame:
    reader = generate("events", scale=SMALL, extra_days=extra_days, first_day=first_day)
    return reader.read_pandas().drop(columns="loaded_at")


def test_extra_days_append_and_change_no_earlier_day():
    base, one, two = events(0), events(1), events(2)
    assert len(base) < len(one) < len(two)
    # The base history (its planted bad rows last) is the same whatever the end date...
    pd.testing.assert_frame_equal(
        base, two[~two["event_id"].str.startswith("ED")].reset_index(drop=True)
    )
    # ...and so is day 1.
    day1 = lambda f: f[f["event_id"].str.startswith("ED001")].reset_index(drop=True)  # noqa: E731
    pd.testing.assert_frame_equal(day1(one), day1(two))
    # days never share an id: the only repeats are the planted duplicate_id rows
    assert two["event_id"].duplicated().sum() == base["event_id"].duplicated().sum() > 0


def test_an_incremental_build_generates_exactly_the_missing_days():
    full = events(2)
    later = events(2, first_day=2)
    assert len(later) > 0 and later["event_id"].str.startswith("ED002").all()
    pd.testing.assert_frame_equal(
        later, full[full["event_id"].str.startswith("ED002")].reset_index(drop=True)
    )
    assert events(2, first_day=3).empty  # nothing new


def test_each_day_holds_only_its_own_events():
    day = events(1, first_day=1)
    at = pd.to_datetime(day["event_ts"])
    start = pd.Timestamp(str(DEMO_END))
    assert at.min() >= start and at.max() < start + pd.Timedelta(days=1)
    # about one 89th of the base history's events (sessions at the base daily rate)
    base = events(0)
    assert 0.4 < len(day) * 89 / len(base) < 2.5


def test_days_to_generate():
    assert days_to_generate(None, None) == (0, 0)  # first build
    assert days_to_generate(3, None) == (3, 0)  # full refresh
    assert days_to_generate(None, 2) == (2, 3)  # incremental, no new day
    assert days_to_generate(3, 2) == (3, 3)  # the daily run
    with pytest.raises(ValueError, match=r"already holds 2 days.*--full-refresh"):
        days_to_generate(1, 2)
    with pytest.raises(ValueError, match="0 or more"):
        days_to_generate(-1, None)


def test_days_are_read_from_event_ids_and_vars():
    assert extra_days_in(None) == 0
    assert extra_days_in("ED012" + "0" * 11) == 12
    with pytest.raises(ValueError, match="does not carry a day"):
        extra_days_in("EDxyz")
    assert parse_wanted("None") is None and parse_wanted("") is None
    assert parse_wanted(" 4 ") == 4
    with pytest.raises(ValueError, match="whole number"):
        parse_wanted("two")


def test_first_day_beyond_the_next_is_refused():
    with pytest.raises(ValueError, match="first_day 5"):
        generate("events", scale=SMALL, extra_days=2, first_day=5)


def test_the_ranker_retrains_on_schedule_without_a_champion_or_on_drift():
    assert [day for day in range(1, 15) if retrains(day, 7, True, False)] == [7, 14]
    assert all(retrains(day, 1, True, False) for day in range(1, 4))
    assert retrains(3, 7, has_champion=False, has_drift_error=False)
    assert retrains(3, 7, has_champion=True, has_drift_error=True)
    with pytest.raises(ValueError, match="1 or more"):
        retrains(3, 0, True, False)
