"""Raw files as staging reads them in files mode, and what a validation found in them.

read_raw_file reads a file as staging's raw_file() does (DuckDB, CSV all text with the
contract's dialect, Parquet cast to text), cleans every value as staging does
(catalog_ml.raw_values.clean_text) and fills optional columns missing from the file with
null, as raw_table() does; a file staging cannot read raises UnreadableFile naming the file,
line and column. Finding and FileReport are what catalog_ml.expectations.validate_folder
returns and `make validate` prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from catalog_ml.contract import RawTable
from catalog_ml.raw_values import clean_text

EXAMPLES = 5
CSV_OPTIONS = "header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"'"
# The file types staging refuses (macro is_unsupported_raw_type): no one value per cell.
UNSUPPORTED_TYPE = re.compile(
    r"(\[\]|^\s*(struct|map|union|list|array|object|blob|bytea|binary|varbinary|geography|geometry)\b)",
    re.I,
)


def find_raw_files(folder: Path, tables: dict[str, RawTable]) -> dict[str, list[Path]]:
    """The files present per contract table: <table>.csv and/or <table>.parquet."""
    found = {}
    for name in tables:
        paths = [folder / f"{name}.{ext}" for ext in ("csv", "parquet")]
        paths = [path for path in paths if path.is_file()]
        if paths:
            found[name] = paths
    return found


class UnreadableFile(Exception):
    """A raw file staging cannot read; the message names the file, line and column."""


def read_raw_file(path: Path, table: RawTable) -> pd.DataFrame:
    """One raw file as staging sees it: text, cleaned (clean_text), empty as null, names
    lower-case. Raises UnreadableFile when staging's raw_file() would stop the build."""
    if path.stat().st_size == 0:
        raise UnreadableFile("file is empty (0 bytes); a raw file holds at least its header line")
    source = f"read_csv(?, {CSV_OPTIONS})" if path.suffix == ".csv" else "read_parquet(?)"
    # DuckDB's file functions read * ? [ as a pattern: bracket them (as raw_file() does).
    literal = str(path).replace("[", "[[]").replace("*", "[*]").replace("?", "[?]")
    with duckdb.connect() as con:
        try:
            if path.suffix == ".csv":
                # One statement list, as raw_file() runs it: DuckDB creates reject_errors for
                # the scan only then.
                quoted = "'" + literal.replace("'", "''") + "'"
                problems = con.execute(
                    f"select max(length(columns(*))) from read_csv({quoted}, {CSV_OPTIONS},"
                    " store_rejects = true); select line, column_name, error_type, csv_line,"
                    " error_message from reject_errors order by line, column_idx limit 3"
                ).fetchall()
                if problems:
                    raise UnreadableFile(
                        "not a valid CSV (UTF-8, comma-separated, double quotes,"
                        " one header line, as many values per row as header columns): "
                        + "; ".join(
                            f"line {line}"
                            + (f", column '{column}'" if column else "")
                            + f": {kind.lower()} ({message}) in {str(text)[:200]!r}"
                            for line, column, kind, text, message in problems
                        )
                    )
            described = con.execute(f"describe select * from {source}", [literal]).fetchall()
        except duckdb.Error as error:
            raise UnreadableFile(f"cannot be read: {str(error).splitlines()[0]}") from None
        for name, data_type, *_ in described:
            if UNSUPPORTED_TYPE.search(str(data_type)):
                raise UnreadableFile(
                    f"column '{name}' has type {data_type}; the raw data contract"
                    " needs one text, number or timestamp value per cell"
                )
        by_name = {name.lower(): name for name, *_ in described}
        selected = [
            f'cast("{original.replace(chr(34), chr(34) * 2)}" as varchar) as "{name.replace(chr(34), chr(34) * 2)}"'
            for name, original in by_name.items()
        ]
        frame = con.execute(f"select {', '.join(selected)} from {source}", [literal]).df()
    frame = frame.astype(object).map(clean_text)
    for column in table.columns:
        if column.name not in frame.columns and not column.required:
            frame[column.name] = None
    return frame


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
    rows: list[int] = field(default_factory=list)  # 0-based data rows that fail

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


def validation_findings(path: Path, frame: pd.DataFrame, validation) -> list[Finding]:
    """The failed expectations of one file's validation result, a missing column once."""
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
            finding.rows = [
                i for i in details.get("unexpected_index_list") or [] if isinstance(i, int)
            ]
        findings.append(finding)
    return findings
