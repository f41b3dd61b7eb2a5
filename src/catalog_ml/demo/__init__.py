"""Deterministic demo data for catalog-ml: a realistic catalog, noisy merchant offers,
reviewed labels and overrides, users, an interaction log from a preference model, and
experiments with planted effects; with planted bad rows of every kind and the ground truth.

`generate(table, seed, scale, loaded_at)` returns a pyarrow.RecordBatchReader: raw tables
are all text, as raw data arrives; large tables stream in chunks so scale 10 fits in
memory. Every raw table ends with the contract's `loaded_at` metadata column: the load
time the dbt models pass (`load_time()`, the wall clock), null by default so the data
itself stays deterministic.
Every table can be generated on its own: shared parts are recomputed from the seed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa

from . import badrows
from .catalog import TAXONOMY, catalog, descriptions
from .common import as_text, reader, text_batch, text_schema
from .events import EVENT_COLUMNS, event_chunks
from .offers import labels, offers, overrides
from .people import EXPERIMENTS, READOUT_ANOMALIES, SEGMENTS, assignments, unit_labels, users
from .switchback import switchback_assignments

# Loader metadata every raw table carries last (contract: when the row was loaded, UTC).
LOAD_TIME_COLUMN = "loaded_at"
# What products and offers both say about an item (staging's listing_columns).
_LISTING_COLUMNS = [
    "title",
    "brand",
    "category",
    "description",
    "price",
    "currency",
    "gtin",
    "model_number",
]
_DATA_COLUMNS: dict[str, list[str]] = {
    "products": ["product_id", *_LISTING_COLUMNS, "updated_at"],
    "offers": ["offer_id", "merchant_id", *_LISTING_COLUMNS, "ingested_at"],
    "match_labels": ["offer_id", "product_id", "is_match", "split", "labeled_at"],
    "match_overrides": ["offer_id", "product_id", "reviewer", "reason", "created_at"],
    "users": ["user_id", "signup_at", "country", "segment"],
    "events": EVENT_COLUMNS,
    "experiments": [
        "experiment_id",
        "name",
        "hypothesis",
        "primary_metric",
        "guardrail_metrics",
        "expected_split",
        "start_at",
        "end_at",
        "slot_hours",
    ],
    "experiment_assignments": ["experiment_id", "user_id", "variant", "assigned_at", "unit"],
}
RAW_TABLES: dict[str, list[str]] = {
    name: [*columns, LOAD_TIME_COLUMN] for name, columns in _DATA_COLUMNS.items()
}
TRUTH_SCHEMAS: dict[str, pa.Schema] = {
    "truth_offers": pa.schema([("offer_id", pa.string()), ("true_product_id", pa.string())]),
    "truth_users": pa.schema([("user_id", pa.string()), ("is_bot", pa.int64())]),
    "truth_experiment_effects": pa.schema(
        [
            ("experiment_id", pa.string()),
            ("variant", pa.string()),
            ("metric", pa.string()),
            ("planted_relative_lift", pa.float64()),
        ]
    ),
    "truth_rejections": pa.schema(
        [("table_name", pa.string()), ("reject_reason", pa.string()), ("expected_rows", pa.int64())]
    ),
}
TRUTH_TABLES: dict[str, list[str]] = {name: schema.names for name, schema in TRUTH_SCHEMAS.items()}


def _assignments(
    seed: int, scale: float, srm_experiment: str | None, srm_drop_share: float
) -> dict[str, np.ndarray]:
    """The randomisation log, with READOUT_ANOMALIES rows of each kind the readout rejects
    (a second variant for a user, a variant the registry does not plan, an assignment after
    the experiment ended, a switchback's slot off its grid) and, for srm_experiment,
    srm_drop_share of its last variant's rows dropped (a planted sample ratio mismatch)."""
    u = users(seed, scale)
    parts = {"experiment_id": [], "user_id": [], "variant": [], "assigned_at": [], "unit": []}

    def add(experiment_id, user_ids, variants, at, units=None):
        parts["experiment_id"].append(np.full(len(user_ids), experiment_id))
        parts["user_id"].append(np.asarray(user_ids))
        parts["variant"].append(np.asarray(variants))
        parts["assigned_at"].append(as_text(np.asarray(at, dtype="datetime64[s]")))
        parts["unit"].append(np.full(len(user_ids), "") if units is None else units)

    for exp in EXPERIMENTS:
        if exp.slot_hours:  # a switchback: users logged per time slot, a few off the grid
            for group in switchback_assignments(seed, scale, exp):
                add(exp.experiment_id, *group)
            continue
        variant, at = assignments(seed, scale)[exp.experiment_id]
        on = variant >= 0
        if exp.experiment_id == srm_experiment:
            last = np.flatnonzero(variant == len(exp.variants) - 1)
            on[last[: round(len(last) * srm_drop_share)]] = False
        units = unit_labels(seed, scale, exp)[on]
        add(exp.experiment_id, u.user_id[on], np.array(exp.variants)[variant[on]], at[on], units)
        # Anomalies among this experiment's users, or its unassigned users.
        k = READOUT_ANOMALIES
        if exp.experiment_id == "EXP001":
            twice = np.flatnonzero(variant >= 0)[:k]
            other = np.array(exp.variants)[1 - variant[twice]]
            add(exp.experiment_id, u.user_id[twice], other, at[twice] + np.timedelta64(1, "h"))
        elif exp.experiment_id == "EXP002":
            spare = np.flatnonzero(variant < 0)[:k]
            add(exp.experiment_id, u.user_id[spare], np.full(k, "variant_c"), at[spare])
        elif exp.experiment_id == "EXP003":
            spare = np.flatnonzero(variant < 0)[:k]
            add(exp.experiment_id, u.user_id[spare], np.full(k, "control"), np.full(k, exp.end))
    return {k: np.concatenate(v) for k, v in parts.items()}


def _valid_columns(
    table: str,
    seed: int,
    scale: float,
    srm_experiment: str | None = None,
    srm_drop_share: float = 0.0,
    price_shift: float = 1.0,
) -> dict[str, np.ndarray]:
    """The valid rows of a small raw table, column by column (events stream separately);
    the srm options reach experiment_assignments only, `price_shift` offers only
    (catalog_ml.demo.offers.offers)."""
    if table == "products":
        c = catalog(seed, scale)
        return {
            "product_id": c.product_id,
            "title": c.title,
            # A few catalog rows lack their brand or category: metadata inference fills them.
            "brand": np.where(np.arange(len(c.title)) % 41 == 7, "", c.brand),
            "category": np.where(
                np.arange(len(c.title)) % 37 == 5, "", [TAXONOMY[k][0] for k in c.category]
            ),
            "description": descriptions(seed, scale),
            "price": np.char.mod("%.2f", c.price),
            "currency": np.full(len(c.title), "USD"),
            "gtin": c.gtin,
            "model_number": np.full(len(c.title), ""),
            "updated_at": as_text(c.updated_at),
        }
    if table == "offers":
        o = offers(seed, scale, price_shift)
        return {
            "offer_id": o.offer_id,
            "merchant_id": o.merchant_id,
            "title": o.title,
            "brand": o.brand,
            "category": o.category,
            "description": o.description,
            "price": np.where(np.isnan(o.price), "", np.char.mod("%.2f", o.price)),
            "currency": o.currency,
            "gtin": o.gtin,
            "model_number": o.model_number,
            "ingested_at": as_text(o.ingested_at),
        }
    if table == "match_labels":
        rows = labels(seed, scale)
        return {**rows, "labeled_at": as_text(rows["labeled_at"])}
    if table == "match_overrides":
        rows = overrides(seed, scale)
        return {**rows, "created_at": as_text(rows["created_at"])}
    if table == "users":
        u = users(seed, scale)
        return {
            "user_id": u.user_id,
            "signup_at": as_text(u.signup_at),
            "country": u.country,
            "segment": SEGMENTS[u.segment],
        }
    if table == "experiments":
        return {
            "experiment_id": [e.experiment_id for e in EXPERIMENTS],
            "name": [e.name for e in EXPERIMENTS],
            "hypothesis": [e.hypothesis for e in EXPERIMENTS],
            "primary_metric": [e.primary_metric for e in EXPERIMENTS],
            "guardrail_metrics": [e.guardrails for e in EXPERIMENTS],
            "expected_split": [
                ",".join(f"{v}:{s}" for v, s in zip(e.variants, e.split, strict=True))
                for e in EXPERIMENTS
            ],
            "start_at": [str(e.start).replace("T", " ") for e in EXPERIMENTS],
            "end_at": [str(e.end).replace("T", " ") for e in EXPERIMENTS],
            "slot_hours": [str(e.slot_hours or "") for e in EXPERIMENTS],
        }
    if table == "experiment_assignments":
        return _assignments(seed, scale, srm_experiment, srm_drop_share)
    raise AssertionError(table)


def _rows(columns: dict[str, np.ndarray], limit: int) -> list[dict[str, str]]:
    names = list(columns)
    return [
        dict(zip(names, values, strict=True))
        for values in zip(*(list(columns[n][:limit]) for n in names), strict=True)
    ]


def _bad_rows(
    table: str, valid: dict[str, np.ndarray], scale: float
) -> tuple[list[dict[str, str]], dict[str, int]]:
    id_column, kinds = badrows.KINDS[table]
    templates = _rows(valid, 5_000)
    if table == "events":  # spoil impressions: they carry every column
        templates = [r for r in templates if r["event_type"] == "impression"]
    return badrows.plant(table, id_column, templates, kinds, scale)


def load_time() -> str:
    """Now, in UTC, as raw timestamp text: the demo tables' load time."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _raw(
    table: str,
    seed: int,
    scale: float,
    loaded_at: str | None,
    days: tuple[int, int] = (0, 0),
    **options,
) -> Iterator[pa.RecordBatch]:
    names = RAW_TABLES[table]

    def batch(columns: dict) -> pa.RecordBatch:
        rows = len(next(iter(columns.values())))
        return text_batch({**columns, LOAD_TIME_COLUMN: [loaded_at] * rows}, names)

    if table == "events":
        extra_days, first_day = days
        first = None
        for chunk in event_chunks(seed, scale, extra_days, first_day):
            first = first or chunk
            yield batch(chunk)
        if first_day > 0:  # later days only: the planted bad rows belong to the base history
            return
        valid = first
    else:
        valid = _valid_columns(table, seed, scale, **options)
        yield batch(valid)
    bad, _ = _bad_rows(table, valid, scale)
    yield batch({n: [r[n] for r in bad] for n in names if n != LOAD_TIME_COLUMN})


def _truth(table: str, seed: int, scale: float) -> pa.RecordBatch:
    schema = TRUTH_SCHEMAS[table]
    if table == "truth_offers":
        o, c = offers(seed, scale), catalog(seed, scale)
        truth = [c.product_id[p] if p >= 0 else None for p in o.true_product]
        data = [o.offer_id.tolist(), truth]
    elif table == "truth_users":
        u = users(seed, scale)
        data = [u.user_id.tolist(), u.is_bot.astype(int).tolist()]
    elif table == "truth_experiment_effects":
        rows = [
            (e.experiment_id, v, e.primary_metric, e.lift)
            for e in EXPERIMENTS
            for v in e.variants[1:]
        ]
        data = [list(col) for col in zip(*rows, strict=True)]
    else:
        rows = [
            (t, kind, badrows.count_per_kind(t, scale))
            for t, (_, kinds) in badrows.KINDS.items()
            for kind in kinds
        ]
        data = [list(col) for col in zip(*rows, strict=True)]
    return pa.RecordBatch.from_arrays(
        [pa.array(col, type=f.type) for col, f in zip(data, schema, strict=True)], schema=schema
    )


def generate(
    table: str,
    seed: int = 42,
    scale: float = 1.0,
    srm_experiment: str | None = None,
    srm_drop_share: float = 0.0,
    price_shift: float = 1.0,
    loaded_at: str | None = None,
    extra_days: int = 0,
    first_day: int = 0,
) -> pa.RecordBatchReader:
    """Stream one demo table (raw: all text; truth: typed) for this seed and scale. The two
    srm options plant a sample ratio mismatch in experiment_assignments; `price_shift`
    (var demo_price_shift, 1 = none) multiplies the prices of the offers ingested in the
    latest week: a planted drift for the monitors. Raw tables carry `loaded_at` (timestamp
    text, UTC) in their loaded_at column. Events cover the base history (day 0) and
    `extra_days` days after it (var demo_extra_days), from `first_day` on: first_day > 0
    gives only those later days (an incremental build's new rows), without the planted bad
    rows, which belong to day 0."""
    if not 0 <= first_day <= extra_days + 1:
        raise ValueError(
            f"demo generator: first_day {first_day} must be between 0 and extra_days + 1"
            f" ({extra_days + 1})"
        )
    if table in RAW_TABLES:
        options = {
            "srm_experiment": srm_experiment,
            "srm_drop_share": srm_drop_share,
            "price_shift": price_shift,
        }
        days = (extra_days, first_day)
        return reader(
            text_schema(RAW_TABLES[table]), _raw(table, seed, scale, loaded_at, days, **options)
        )
    if table in TRUTH_SCHEMAS:
        return reader(TRUTH_SCHEMAS[table], iter([_truth(table, seed, scale)]))
    valid = ", ".join([*RAW_TABLES, *TRUTH_SCHEMAS])
    raise ValueError(f"demo generator: unknown table {table!r}; valid tables: {valid}")
