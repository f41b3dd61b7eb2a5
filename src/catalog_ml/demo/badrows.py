"""Planted bad rows: extra rows with fresh ids, each with exactly one defect, so staging
must reject exactly these and the expected counts are known (truth_rejections)."""

from __future__ import annotations

from collections.abc import Callable

Row = dict[str, str]
Spoiler = Callable[[Row, str], Row]


# Tables whose size does not grow with scale (the experiment registry has four rows at every
# scale): their planted bad rows do not grow either, or they would outnumber the good ones.
FIXED_SIZE_TABLES = {"experiments"}


def count_per_kind(table: str, scale: float) -> int:
    return 2 if table in FIXED_SIZE_TABLES else max(2, round(5 * scale))


def set_(**changes: str) -> Spoiler:
    """A spoiler that sets columns; '{id}' in a value becomes the row's fresh id."""
    return lambda row, fresh: {**row, **{k: v.replace("{id}", fresh) for k, v in changes.items()}}


def plant(
    table: str,
    id_column: str | None,
    valid: list[Row],
    kinds: dict[str, Spoiler | None],
    scale: float,
) -> tuple[list[Row], dict[str, int]]:
    """`count_per_kind` rows per kind, each a copy of a valid row given a fresh id (when the
    table has one) and spoiled for that kind; kind 'duplicate_id' (spoiler None) is an
    exact copy. Returns the rows and the count per kind."""
    n = count_per_kind(table, scale)
    rows: list[Row] = []
    for number, spoil in enumerate(kinds.values()):
        for k in range(n):
            template = dict(valid[(k * 7919) % len(valid)])
            if spoil is None:
                rows.append(template)
                continue
            fresh = f"{table[:2].upper()}BAD{number:02d}{k:04d}"
            if id_column:
                template[id_column] = fresh
            rows.append(spoil(template, fresh))
    return rows, dict.fromkeys(kinds, n)


KINDS: dict[str, tuple[str | None, dict[str, Spoiler | None]]] = {
    "products": (
        "product_id",
        {
            "missing_required": set_(title=""),
            "unparseable_number": set_(price="abc"),
            "negative_price": set_(price="-5.00"),
            "unparseable_timestamp": set_(updated_at="not a date"),
            "duplicate_id": None,
        },
    ),
    "offers": (
        "offer_id",
        {
            "missing_required": set_(merchant_id=""),
            "unparseable_number": set_(price="12,99.x"),
            "negative_price": set_(price="-1.50"),
            "unparseable_timestamp": set_(ingested_at="2026-13-45 25:00:00"),
            "duplicate_id": None,
        },
    ),
    "match_labels": (
        None,
        {
            "missing_required": set_(product_id=""),
            "dangling_foreign_key": set_(offer_id="{id}"),
            "invalid_value": set_(is_match="yes"),
            "duplicate_id": None,
        },
    ),
    "match_overrides": (
        None,
        {
            "missing_required": set_(created_at=""),
            "dangling_foreign_key": set_(product_id="{id}"),
            "unparseable_timestamp": set_(created_at="last tuesday"),
        },
    ),
    "users": (
        "user_id",
        {
            "missing_required": set_(user_id=""),
            "unparseable_timestamp": set_(signup_at="yesterday"),
            "duplicate_id": None,
        },
    ),
    "events": (
        "event_id",
        {
            "missing_required": set_(product_id=""),
            "unparseable_number": set_(position="first"),
            "unparseable_timestamp": set_(event_ts="not a time"),
            "negative_price": set_(price="-9.99"),
            "duplicate_id": None,
            "unknown_event_type": set_(event_type="scroll"),
            "before_epoch": set_(event_ts="1969-07-20 20:17:00"),
            "in_future": set_(event_ts="2099-01-01 00:00:00"),
            "dangling_foreign_key": set_(user_id="{id}"),
        },
    ),
    "experiments": ("experiment_id", {"duplicate_id": None}),
    "experiment_assignments": (
        None,
        {
            "missing_required": set_(variant=""),
            "dangling_foreign_key": set_(experiment_id="{id}"),
            "unparseable_timestamp": set_(assigned_at="soon"),
            "duplicate_id": None,
        },
    ),
}
