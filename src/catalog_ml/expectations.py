"""Great Expectations suites for raw files, generated from the raw data contract.

One suite per raw table, built from models/staging/_raw__sources.yml (catalog_ml.contract),
the same file staging's validate_raw macro reads, so the pre-flight check and staging's
reject rules cannot drift apart:

    contract                       expectation                                  staging reason
    the table's columns            expect_table_columns_to_match_set            (build fails)
    required: true                 expect_column_to_exist,                      missing_required
                                   expect_column_values_to_not_be_null
    type: decimal | integer        expect_column_values_to_match_regex          unparseable_number
    type: timestamp                expect_column_values_to_match_regex (ISO),   unparseable_timestamp
                                   expect_column_values_to_be_dateutil_parseable
    min: n                         expect_column_values_to_be_numbers_at_least  negative_price, ...
    accepted_values: [...]         expect_column_values_to_be_in_set            invalid_value, ...
    key: [columns]                 expect_column_values_to_be_unique or         duplicate_id
                                   expect_compound_columns_to_be_unique

Files are read as staging reads them in files mode (DuckDB, CSV all text, Parquet cast
to text), every value trimmed with empty text as null, accepted-values columns
lower-cased (staging compares them lower-case). Optional columns missing from a file are
filled with null, as raw_table() does. Checks that are not facts about one column
(unusable titles, end before start, times before the epoch or in the future, foreign
keys) stay in staging.

GE is stricter than DuckDB's try_cast in a few corners, on purpose: an integer must be
written as a whole number (DuckDB rounds '1.5'), numbers with '_' separators and
timestamps that are not ISO dates (with optional time and zone) are refused.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import great_expectations as gx
import pandas as pd
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import ColumnMapExpectation
from great_expectations.expectations.metrics import (
    ColumnMapMetricProvider,
    column_condition_partial,
)

from catalog_ml.contract import RawColumn, RawTable

NUMBER_PATTERNS = {
    "decimal": r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$",
    "integer": r"^[+-]?\d+$",
}
# ISO date, optional time (T or space), optional zone: the shapes DuckDB casts to timestamp.
TIMESTAMP_PATTERN = (
    r"^\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
    r"(?: ?(?:Z|UTC|[+-]\d{2}(?::?\d{2})?))?$"
)
EXAMPLES = 5


class ColumnValuesNumbersAtLeast(ColumnMapMetricProvider):
    """Per row: the text is not a number, or it is a number at least min_value."""

    condition_metric_name = "column_values.catalog_ml_numbers_at_least"
    condition_value_keys = ("min_value",)

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, min_value: float, **kwargs) -> pd.Series:
        numbers = pd.to_numeric(column, errors="coerce")
        return numbers.isna() | (numbers >= min_value)


class ExpectColumnValuesToBeNumbersAtLeast(ColumnMapExpectation):
    """Expect numbers written as text to be at least min_value.

    Text that is not a number is left to the type expectation; nulls are not judged.
    """

    min_value: float
    map_metric = "column_values.catalog_ml_numbers_at_least"
    success_keys = ("min_value", "mostly")


def _rule(text: str, reason: str | None = None) -> dict:
    return {"rule": text, **({"staging_reason": reason} if reason else {})}


def column_expectations(column: RawColumn) -> list:
    """The expectations one contract column implies."""
    name = column.name
    found = []
    if column.required:
        found.append(gx.expectations.ExpectColumnToExist(column=name, meta=_rule("required")))
        found.append(
            gx.expectations.ExpectColumnValuesToNotBeNull(
                column=name, meta=_rule("required", "missing_required")
            )
        )
    if column.type in NUMBER_PATTERNS:
        found.append(
            gx.expectations.ExpectColumnValuesToMatchRegex(
                column=name,
                regex=NUMBER_PATTERNS[column.type],
                meta=_rule(f"type {column.type}", "unparseable_number"),
            )
        )
    if column.type == "timestamp":
        meta = _rule("type timestamp", "unparseable_timestamp")
        found.append(
            gx.expectations.ExpectColumnValuesToMatchRegex(
                column=name, regex=TIMESTAMP_PATTERN, meta=meta
            )
        )
        found.append(
            gx.expectations.ExpectColumnValuesToBeDateutilParseable(column=name, meta=meta)
        )
    if column.min is not None:
        found.append(
            ExpectColumnValuesToBeNumbersAtLeast(
                column=name,
                min_value=column.min,
                meta=_rule(f"min {column.min}", column.reject_reason or "invalid_value"),
            )
        )
    if column.accepted_values is not None:
        found.append(
            gx.expectations.ExpectColumnValuesToBeInSet(
                column=name,
                value_set=list(column.accepted_values),
                meta=_rule(
                    "accepted values " + ", ".join(column.accepted_values),
                    column.reject_reason or "invalid_value",
                ),
            )
        )
    return found


def build_suite(table: RawTable) -> gx.ExpectationSuite:
    """The expectation suite of one raw table, from its contract."""
    suite = gx.ExpectationSuite(name=f"raw_{table.name}")
    suite.add_expectation(
        gx.expectations.ExpectTableColumnsToMatchSet(
            column_set=table.column_names, exact_match=True, meta=_rule("columns of the contract")
        )
    )
    for column in table.columns:
        for expectation in column_expectations(column):
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


def find_raw_files(folder: Path, tables: dict[str, RawTable]) -> dict[str, list[Path]]:
    """The files present per contract table: <table>.csv and/or <table>.parquet."""
    found = {}
    for name in tables:
        paths = [folder / f"{name}.{ext}" for ext in ("csv", "parquet")]
        paths = [path for path in paths if path.is_file()]
        if paths:
            found[name] = paths
    return found


def read_raw_file(path: Path, table: RawTable) -> pd.DataFrame:
    """One raw file as staging sees it: text, trimmed, empty as null, names lower-case."""
    if path.suffix == ".csv":
        source = f"read_csv('{path}', header = true, all_varchar = true)"
    else:
        source = f"read_parquet('{path}')"
    with duckdb.connect() as con:
        names = [row[0] for row in con.execute(f"describe select * from {source}").fetchall()]
        by_name = {name.lower(): name for name in names}
        lowered = {c.name for c in table.columns if c.accepted_values is not None}
        selected = []
        for name, original in by_name.items():
            value = f"nullif(trim(cast(\"{original}\" as varchar)), '')"
            selected.append(f'{"lower(" + value + ")" if name in lowered else value} as "{name}"')
        for column in table.columns:
            if column.name not in by_name and not column.required:
                selected.append(f'cast(null as varchar) as "{column.name}"')
        return con.execute(f"select {', '.join(selected)} from {source}").df()


@dataclass
class Finding:
    """One failed expectation (or file problem) of one raw file."""

    file: str
    expectation: str
    rule: str
    column: str | None = None
    unexpected_count: int | None = None
    examples: list[str] = field(default_factory=list)
    staging_reason: str | None = None

    def message(self, rows: int | None = None) -> str:
        where = self.file
        if self.column:
            where += f": {'columns' if ', ' in self.column else 'column'} '{self.column}'"
        count = ""
        if self.unexpected_count is not None:
            count = f" {self.unexpected_count}" + (f" of {rows}" if rows is not None else "")
            count += " row(s) fail"
        examples = f", e.g. {', '.join(self.examples)}" if self.examples else ""
        staging = f" [staging: {self.staging_reason}]" if self.staging_reason else ""
        return f"{where}: {self.rule} ({self.expectation}){count}{examples}{staging}"


@dataclass
class FileReport:
    table: str
    files: list[Path]
    rows: int | None = None
    expectations: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return not self.findings


def _examples(result: dict, is_csv: bool) -> list[str]:
    values = result.get("partial_unexpected_list") or []
    rows = result.get("partial_unexpected_index_list") or []
    examples = []
    for i, value in enumerate(values[:EXAMPLES]):
        if value is None:
            shown = "empty"
        elif isinstance(value, dict):  # compound key
            shown = "(" + ", ".join("empty" if v is None else repr(v) for v in value.values()) + ")"
        else:
            shown = repr(value)
        if i < len(rows) and isinstance(rows[i], int):
            # CSV: the header is line 1; Parquet: 1-based row number.
            shown += f" (line {rows[i] + 2})" if is_csv else f" (row {rows[i] + 1})"
        examples.append(shown)
    return examples


def _findings(path: Path, frame: pd.DataFrame, validation) -> list[Finding]:
    findings = []
    for result in validation.results:
        if result.success:
            continue
        config = result.expectation_config
        columns = config.kwargs.get("column_list") or [config.kwargs.get("column")]
        columns = [name for name in columns if name]
        missing = [name for name in columns if name not in frame.columns]
        if missing and config.type != "expect_column_to_exist":
            continue  # a missing column is reported once, by expect_column_to_exist
        column = ", ".join(columns) or None
        finding = Finding(
            file=path.name,
            expectation=config.type,
            rule=config.meta.get("rule", config.type),
            column=column,
            staging_reason=config.meta.get("staging_reason"),
        )
        details = result.result or {}
        if config.type == "expect_table_columns_to_match_set":
            mismatched = details.get("details", {}).get("mismatched", {})
            finding.examples = [f"unexpected {name!r}" for name in mismatched.get("unexpected", [])]
            finding.examples += [f"missing {name!r}" for name in mismatched.get("missing", [])]
        elif config.type == "expect_column_to_exist":
            finding.examples = [f"found {', '.join(map(repr, frame.columns))}"]
        elif result.exception_info and result.exception_info.get("raised_exception"):
            finding.examples = [str(result.exception_info.get("exception_message"))]
        else:
            finding.unexpected_count = details.get("unexpected_count")
            finding.examples = _examples(details, path.suffix == ".csv")
        findings.append(finding)
    return findings


def validate_folder(
    folder: Path, tables: dict[str, RawTable], docs_dir: Path | None = None
) -> list[FileReport]:
    """Validate every contract file present in folder; write data docs to docs_dir."""
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
        frame = read_raw_file(paths[0], tables[name])
        suite = context.suites.add(build_suite(tables[name]))
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
                result_format={"result_format": "SUMMARY"},
            )
        )
        result = checkpoint.run(batch_parameters={"dataframe": frame})
        (validation,) = result.run_results.values()
        report.rows = len(frame)
        report.expectations = len(suite.expectations)
        report.findings = _findings(paths[0], frame, validation)
    if docs_dir is not None and reports:
        context.build_data_docs()
    return reports
