"""Great Expectations suites for raw files, generated from the raw data contract.

One suite per raw table, built from models/staging/_raw__sources.yml (catalog_ml.contract),
the same file staging's validate_raw macro reads, so the pre-flight check and staging's
reject rules cannot drift apart:

    contract                       expectation                                  staging reason
    the table's columns            expect_table_columns_to_match_set            (build fails)
    required: true                 expect_column_to_exist,                      missing_required
                                   expect_column_values_to_not_be_null
    type, min, max_var,            expect_column_values_to_pass_raw_contract_   unparseable_number,
    accepted_values, text length,  rule, one per reason the column can get      inexact_number,
    allow_future                                                                ambiguous_timezone,
                                                                                unparseable_timestamp,
                                                                                text_too_long,
                                                                                invalid_value, ...,
                                                                                out_of_range,
                                                                                before_epoch, in_future
    key: [columns]                 expect_column_values_to_be_unique or         duplicate_id
                                   expect_compound_columns_to_be_unique

Files are read as staging reads them in files mode (DuckDB, CSV all text with the contract's
dialect, Parquet cast to text) and every value is cleaned as staging cleans it
(catalog_ml.raw_values.clean_text: controls and bidi characters removed, whitespace runs as
one space, trimmed, empty as null). Optional columns missing from a file are filled with
null, as raw_table() does. A value's rules run in Python (catalog_ml.raw_values), a mirror
of staging's macros, and a row fails only the expectation of the first reason staging would
give its column, so the suites flag the rows staging rejects for a contract rule and no
other. A file that cannot be read (empty, not UTF-8, a ragged row, a list column) is one
finding naming the file, line and column. Checks that are not facts about one column
(unusable titles, end before start, foreign keys) stay in staging. Limits come from the
dbt vars raw_max_price, raw_max_text_length and raw_max_long_text_length
(catalog_ml.contract.load_limits).

Reading a file as staging does and turning a validation into findings is in
catalog_ml.raw_files; this module builds the suites and runs them (validate_folder).
"""

from __future__ import annotations

import logging
from pathlib import Path

import great_expectations as gx
import pandas as pd
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import ColumnMapExpectation
from great_expectations.expectations.metrics import (
    ColumnMapMetricProvider,
    column_condition_partial,
)

from catalog_ml.contract import LIMIT_VARS, RawColumn, RawTable
from catalog_ml.raw_files import (
    FileReport,
    Finding,
    UnreadableFile,
    find_raw_files,
    read_raw_file,
    validation_findings,
)
from catalog_ml.raw_values import REASON_ORDER, first_problem

# Reading files and reporting live in catalog_ml.raw_files; importable from here as before.
__all__ = [
    "ColumnValuesPassRawContractRule",
    "ExpectColumnValuesToPassRawContractRule",
    "FileReport",
    "Finding",
    "UnreadableFile",
    "build_suite",
    "column_expectations",
    "column_reasons",
    "find_raw_files",
    "read_raw_file",
    "validate_folder",
]


class ColumnValuesPassRawContractRule(ColumnMapMetricProvider):
    """Per row: the first reason staging would give the value of this column is not reason."""

    condition_metric_name = "column_values.catalog_ml_raw_contract_rule"
    condition_value_keys = ("reason", "column_spec")

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, reason: str, column_spec: dict, **kwargs) -> pd.Series:
        spec = dict(column_spec)
        limits = spec.pop("limits")
        accepted = spec.pop("accepted_values")
        raw = RawColumn(accepted_values=None if accepted is None else tuple(accepted), **spec)
        return column.map(lambda value: first_problem(value, raw, limits) != reason)


class ExpectColumnValuesToPassRawContractRule(ColumnMapExpectation):
    """Expect no value of the column to get `reason` from staging (catalog_ml.raw_values).

    column_spec is the contract column (name, description, type, min, max_var,
    accepted_values, reject_reason, long_text, allow_future) and the limits (dbt vars).
    Nulls are not judged (the not-null expectation does).
    """

    reason: str
    column_spec: dict
    map_metric = "column_values.catalog_ml_raw_contract_rule"
    success_keys = ("reason", "column_spec", "mostly")


def _rule(text: str, reason: str | None = None) -> dict:
    return {"rule": text, **({"staging_reason": reason} if reason else {})}


def column_reasons(column: RawColumn) -> list[str]:
    """The reasons staging can give a value of this column, in staging's order."""
    found = []
    if column.type in ("decimal", "integer"):
        found += ["unparseable_number", "inexact_number"]
        if column.min is not None:
            found.append(column.reject_reason or "invalid_value")
        if column.max_var is not None:
            found.append("out_of_range")
    elif column.type == "timestamp":
        found += ["ambiguous_timezone", "unparseable_timestamp", "before_epoch"]
        found += [] if column.allow_future else ["in_future"]
    else:
        found.append("text_too_long")
    if column.accepted_values is not None:
        found.append(column.reject_reason or "invalid_value")
    return sorted(set(found), key=REASON_ORDER.index)


def _rule_text(column: RawColumn, reason: str, limits: dict[str, float]) -> str:
    texts = {
        "unparseable_number": f"type {column.type}",
        "inexact_number": f"exact in {column.type} (no rounding)",
        "out_of_range": f"at most {limits.get(column.max_var or '', 0):g} (var {column.max_var})",
        "ambiguous_timezone": "UTC offset, not a zone name",
        "unparseable_timestamp": "type timestamp (ISO)",
        "before_epoch": "not before 1970-01-01",
        "in_future": "not in the future",
        "text_too_long": "at most {:g} characters".format(
            limits["raw_max_long_text_length" if column.long_text else "raw_max_text_length"]
        ),
    }
    if reason in texts:
        return texts[reason]
    if column.accepted_values is not None and column.min is None:
        return "accepted values " + ", ".join(column.accepted_values)
    return f"min {column.min}"


def column_expectations(column: RawColumn, limits: dict[str, float] | None = None) -> list:
    """The expectations one contract column implies."""
    limits = {**LIMIT_VARS, **(limits or {})}
    name = column.name
    found = []
    if column.required:
        found.append(gx.expectations.ExpectColumnToExist(column=name, meta=_rule("required")))
        found.append(
            gx.expectations.ExpectColumnValuesToNotBeNull(
                column=name, meta=_rule("required", "missing_required")
            )
        )
    spec = {
        "name": column.name,
        "description": column.description,
        "required": column.required,
        "type": column.type,
        "min": column.min,
        "max_var": column.max_var,
        "accepted_values": None if column.accepted_values is None else list(column.accepted_values),
        "reject_reason": column.reject_reason,
        "long_text": column.long_text,
        "allow_future": column.allow_future,
        "limits": {k: float(v) for k, v in limits.items()},
    }
    for reason in column_reasons(column):
        found.append(
            ExpectColumnValuesToPassRawContractRule(
                column=name,
                reason=reason,
                column_spec=spec,
                meta=_rule(_rule_text(column, reason, limits), reason),
            )
        )
    return found


def build_suite(table: RawTable, limits: dict[str, float] | None = None) -> gx.ExpectationSuite:
    """The expectation suite of one raw table, from its contract and the limits (dbt vars)."""
    suite = gx.ExpectationSuite(name=f"raw_{table.name}")
    suite.add_expectation(
        gx.expectations.ExpectTableColumnsToMatchSet(
            column_set=table.column_names, exact_match=True, meta=_rule("columns of the contract")
        )
    )
    for column in table.columns:
        for expectation in column_expectations(column, limits):
            suite.add_expectation(expectation)
    key_rule = _rule("key " + ", ".join(table.key) + " unique", "duplicate_id")
    if len(table.key) == 1:
        unique = gx.expectations.ExpectColumnValuesToBeUnique(column=table.key[0], meta=key_rule)
    else:
        unique = gx.expectations.ExpectCompoundColumnsToBeUnique(
            column_list=list(table.key), meta=key_rule
        )
    suite.add_expectation(unique)
    return suite


def validate_folder(
    folder: Path,
    tables: dict[str, RawTable],
    docs_dir: Path | None = None,
    limits: dict[str, float] | None = None,
) -> list[FileReport]:
    """Validate every contract file present in folder against the contract and the limits
    (dbt vars, catalog_ml.contract.load_limits; defaults when None); write data docs to
    docs_dir."""
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    if docs_dir is not None:
        context.add_data_docs_site(
            site_name="raw_files",
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(Path(docs_dir).resolve()),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    data_source = context.data_sources.add_pandas(name="raw_files")
    reports = []
    for name, paths in find_raw_files(folder, tables).items():
        report = FileReport(table=name, files=paths)
        reports.append(report)
        if len(paths) > 1:
            report.findings.append(
                Finding(
                    file=" and ".join(p.name for p in paths),
                    expectation="one file per table",
                    rule=f"keep one of {' and '.join(p.name for p in paths)}",
                )
            )
            continue
        try:
            frame = read_raw_file(paths[0], tables[name])
        except UnreadableFile as error:
            report.findings.append(
                Finding(file=paths[0].name, expectation="readable file", rule=str(error))
            )
            continue
        suite = context.suites.add(build_suite(tables[name], limits))
        batch = data_source.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe(
            "whole_file"
        )
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"raw_{name}", data=batch, suite=suite)
        )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=f"raw_{name}",
                validation_definitions=[definition],
                result_format={"result_format": "COMPLETE"},
            )
        )
        result = checkpoint.run(batch_parameters={"dataframe": frame})
        (validation,) = result.run_results.values()
        report.rows = len(frame)
        report.expectations = len(suite.expectations)
        report.findings = validation_findings(paths[0], frame, validation)
    if docs_dir is not None and reports:
        context.build_data_docs()
    return reports
