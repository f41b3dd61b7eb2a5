"""A readout without experiments is empty but typed: on a folder with no experiments,
fct_experiment_results (which passes the readout's columns through) still meets its contract."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import yaml

from catalog_ml.experiments import RESULT_COLUMNS, readout

REPO = Path(__file__).resolve().parents[2]
CONTRACT = REPO / "models" / "marts" / "experiments" / "fct_experiment_results.yml"
# readout column -> fct_experiment_results column, where the mart renames it
RENAMED = {"users": "variant_users", "units": "variant_units"}


def contract_types() -> dict[str, str]:
    (model,) = yaml.safe_load(CONTRACT.read_text())["models"]
    return {column["name"]: column["data_type"].upper() for column in model["columns"]}


def empty_readout() -> pd.DataFrame:
    def frame(*columns: str) -> pd.DataFrame:
        return pd.DataFrame({column: pd.Series(dtype="object") for column in columns})

    return readout(
        user_metrics=frame("experiment_id", "variant", "user_id", "metric_name", "numerator"),
        definitions=pd.DataFrame(
            {
                "metric_name": ["click_through_rate"],
                "statistical_test": ["two_proportion_z"],
                "desired_direction": ["increase"],
            }
        ),
        variants=frame("experiment_id", "variant", "expected_share", "is_control"),
        experiments=frame("experiment_id", "primary_metric", "guardrail_metrics"),
        alpha=0.05,
        srm_alpha=0.001,
    )


def test_a_readout_without_experiments_is_empty_with_the_contract_types():
    results = empty_readout()
    assert results.empty and list(results.columns) == RESULT_COLUMNS
    with duckdb.connect() as con:
        types = [str(t) for t in con.sql("select * from results").types]
    in_the_mart = {
        RENAMED.get(column, column): t for column, t in zip(RESULT_COLUMNS, types, strict=True)
    }
    contract = contract_types()
    assert in_the_mart == {column: contract[column] for column in in_the_mart}
