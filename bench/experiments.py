"""Experiment readout figures for `make bench` (bench/run.py): the readout's time against the
interactions it reads, from one demo build. Across scales, time per interaction should stay
flat (the readout is one pass over interactions joined to assignments by user)."""

from __future__ import annotations

import duckdb

READOUT = [
    "int_experiment_variants",
    "int_experiment_assignments_checked",
    "int_experiment_user_metrics",
    "int_experiment_readout",
    "fct_experiment_results",
]


def report(seconds: dict[str, float], con: duckdb.DuckDBPyConnection) -> dict:
    """Readout figures of one demo build: `seconds` per model (run_results.json), `con` the
    warehouse it wrote."""
    interactions = con.execute("select count(*) from fct_interactions").fetchone()[0]
    user_rows = con.execute("select count(*) from int_experiment_user_metrics").fetchone()[0]
    readout = sum(seconds.get(name, 0.0) for name in READOUT)
    return {
        "interactions": interactions,
        "user_metric_rows": user_rows,
        "readout_seconds": readout,
        "user_metrics_seconds": seconds.get("int_experiment_user_metrics", 0.0),
        "statistics_seconds": seconds.get("int_experiment_readout", 0.0),
        "interactions_per_second": interactions / readout if readout else None,
    }
