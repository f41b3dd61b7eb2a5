"""How staging reads one raw value, in Python: the Great Expectations suites use it so they
flag exactly the values staging rejects.

Mirrors the dbt macros (DuckDB implementations): clean_text (macros/staging/text_rules.sql),
parse_number, number_is_inexact and parse_timestamp_utc (macros/staging/parse_values.sql)
and the per-column rules and reason order of validate_raw (macros/staging/validate_raw.sql).
tests/python/test_expectations.py checks the two agree on the bad-input fixtures.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from catalog_ml.contract import RawColumn

# validate_raw's reason_order (the first failing rule names a row's reason).
REASON_ORDER = (
    "missing_required",
    "unparseable_number",
    "inexact_number",
    "ambiguous_timezone",
    "unparseable_timestamp",
    "text_too_long",
    "unusable_title",
    "invalid_value",
    "unknown_currency",
    "unknown_event_type",
    "negative_price",
    "out_of_range",
    "before_epoch",
    "in_future",
    "dangling_foreign_key",
)

# text_rules.sql: invisible_code_points() and whitespace_code_points().
INVISIBLE = [(0, 8), (14, 31), (127, 132), (134, 159), (173, 173), (1564, 1564), (8203, 8203)]
INVISIBLE += [(8206, 8207), (8234, 8238), (8288, 8292), (8294, 8297), (65279, 65279)]
WHITESPACE = [(9, 13), (32, 32), (133, 133), (160, 160), (5760, 5760), (8192, 8202)]
WHITESPACE += [(8232, 8233), (8239, 8239), (8287, 8287), (12288, 12288)]


def _char_class(spans: list[tuple[int, int]]) -> str:
    return "[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in spans) + "]+"


INVISIBLE_RE = re.compile(_char_class(INVISIBLE))
WHITESPACE_RE = re.compile(_char_class(WHITESPACE))

# parse_values.sql: number_pattern() and the timestamp patterns ([0-9], never \d: Python's
# \d also matches other scripts' digits).
NUMBER_RE = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_DATE = r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
_TIME = r"[T ]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?"
NAIVE_RE = re.compile(f"{_DATE}(?:{_TIME})?")
OFFSET_RE = re.compile(f"{_DATE}{_TIME} ?([+-])([0-9]{{2}})(?::?([0-9]{{2}}))?")
ZONE_NAME_RE = re.compile(f"{_DATE}{_TIME} ?[A-Za-z][A-Za-z0-9_/+-]*")
UTC_SUFFIX_RE = re.compile(r" ?(Z|z|UTC|GMT)$")

DECIMAL_PLACES = 2  # decimal(18, 2)
DECIMAL_LIMIT = Decimal(10) ** (18 - DECIMAL_PLACES)
INTEGER_RANGE = (-(2**31), 2**31 - 1)  # DuckDB integer
EPOCH = datetime(1970, 1, 1)


def clean_text(value: object) -> str | None:
    """Invisible characters removed, whitespace runs as one space, trimmed; None when empty."""
    if value is None:
        return None
    text = WHITESPACE_RE.sub(" ", INVISIBLE_RE.sub("", str(value))).strip(" ")
    return text or None


def parse_number(text: str, column_type: str) -> Decimal | None:
    """The value the column's SQL type holds (rounded as a cast rounds), None when text is not
    a number or the type cannot hold it."""
    if not NUMBER_RE.fullmatch(text):
        return None
    try:
        exponent = Decimal(1) if column_type == "integer" else Decimal(1).scaleb(-DECIMAL_PLACES)
        value = Decimal(text).quantize(exponent, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return None
    if column_type == "integer":
        return value if INTEGER_RANGE[0] <= value <= INTEGER_RANGE[1] else None
    return value if abs(value) < DECIMAL_LIMIT else None


def parse_timestamp_utc(text: str) -> datetime | None:
    """The UTC time (naive datetime) text names: offsets applied, no zone read as UTC."""
    utc_text = UTC_SUFFIX_RE.sub("+00:00", text)
    offset = timedelta(0)
    match = OFFSET_RE.fullmatch(utc_text)
    if match:
        sign = 1 if match.group(8) == "+" else -1
        offset = sign * timedelta(hours=int(match.group(9)), minutes=int(match.group(10) or 0))
    else:
        match = NAIVE_RE.fullmatch(text)
        if not match:
            return None
    year, month, day, hour, minute, second = (int(g or 0) for g in match.groups()[:6])
    fraction = (match.group(7) or "")[:6].ljust(6, "0")
    extra = timedelta(0)
    if hour == 24 and minute == second == int(fraction) == 0:  # DuckDB reads 24:00 as midnight next
        hour, extra = 0, timedelta(days=1)
    try:
        moment = datetime(year, month, day, hour, minute, second, int(fraction))
    except ValueError:
        return None
    return moment + extra - offset


def column_problems(
    text: str | None, column: RawColumn, limits: dict[str, float], now: datetime | None = None
) -> list[str]:
    """Every reject reason of one cleaned value of one contract column, in staging's order
    (missing_required is left to the not-null expectation)."""
    if text is None:
        return []
    found = []
    if column.type in ("decimal", "integer"):
        value = parse_number(text, column.type)
        if value is None:
            found.append("unparseable_number")
        else:
            if float(text) != float(value):
                found.append("inexact_number")
            if column.min is not None and value < Decimal(str(column.min)):
                found.append(column.reject_reason or "invalid_value")
            if column.max_var is not None and value > Decimal(str(limits[column.max_var])):
                found.append("out_of_range")
    elif column.type == "timestamp":
        if ZONE_NAME_RE.fullmatch(UTC_SUFFIX_RE.sub("+00:00", text)):
            found.append("ambiguous_timezone")
        moment = parse_timestamp_utc(text)
        if moment is None:
            found.append("unparseable_timestamp")
        else:
            if moment < EPOCH:
                found.append("before_epoch")
            now = now or datetime.now(UTC).replace(tzinfo=None)
            if not column.allow_future and moment > now:
                found.append("in_future")
    else:
        limit = limits["raw_max_long_text_length" if column.long_text else "raw_max_text_length"]
        if len(text) > limit:
            found.append("text_too_long")
    if column.accepted_values is not None and text.lower() not in column.accepted_values:
        found.append(column.reject_reason or "invalid_value")
    return sorted(set(found), key=REASON_ORDER.index)


def first_problem(
    text: str | None, column: RawColumn, limits: dict[str, float], now: datetime | None = None
) -> str | None:
    """The reason staging gives a value of this column (None when the column passes)."""
    problems = column_problems(text, column, limits, now)
    return problems[0] if problems else None
