"""Great Expectations suites generated from the raw data contract (`make validate`).

tests/fixtures/raw_files_clean holds the good rows of tests/fixtures/raw_files (no row
staging rejects); tests/fixtures/raw_files holds one bad row per defect, and the suites
must flag exactly the rows staging rejects for a contract rule.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from catalog_ml.contract import CONTRACT_PATH, load_contract
from catalog_ml.expectations import column_reasons, read_raw_file, validate_folder

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "raw_files"
CLEAN = REPO / "tests" / "fixtures" / "raw_files_clean"
BAD_INPUT = REPO / "tests" / "fixtures" / "raw_files_bad_input"
TABLES = load_contract(REPO / CONTRACT_PATH)


def run_validate(folder: Path, docs: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "catalog_ml.validate", str(folder)]
    command += ["--project-dir", str(REPO), "--docs-dir", str(docs)]
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO)


def append_rows(path: Path, *rows: str) -> None:
    with open(path, "a") as handle:
        handle.writelines(row + "\n" for row in rows)


def test_clean_files_pass_and_data_docs_are_written(tmp_path):
    folder = tmp_path / "raw"
    shutil.copytree(CLEAN, folder)
    # One table as Parquet with only its required columns and price: optional columns
    # may be left out, as in files mode.
    products = folder / "products.csv"
    with duckdb.connect() as con:
        con.execute(
            f"copy (select product_id, title, price from read_csv('{products}', all_varchar = true))"
            f" to '{folder / 'products.parquet'}' (format parquet)"
        )
    products.unlink()
    result = run_validate(folder, tmp_path / "docs")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASS products.parquet: 3 rows" in result.stdout
    assert "8 of 8 raw files pass the contract" in result.stdout
    index = (tmp_path / "docs" / "index.html").read_text()
    assert "raw_events" in index and "raw_products" in index


def test_bad_rows_fail_naming_file_expectation_and_example(tmp_path):
    folder = tmp_path / "raw"
    shutil.copytree(CLEAN, folder)
    append_rows(folder / "products.csv", "P9,Widget,Acme,,,-3.50,USD,,,2026-09-09 00:00:00")
    append_rows(
        folder / "events.csv",
        "E15,U1,P1,scroll,2026-10-10 10:02:00,S1,R1,1,home,348.00",
        "E2,U1,P1,click,2026-10-10 10:00:05,S1,R1,1,home,348.00",
    )
    append_rows(folder / "users.csv", ",2026-03-01 00:00:00,FR,casual")
    result = run_validate(folder, tmp_path / "docs")
    assert result.returncode == 1
    out = result.stdout
    assert (
        "products.csv: column 'price': min 0 (expect_column_values_to_pass_raw_contract_rule)"
        " 1 of 4 row(s) fail, e.g. '-3.50' (line 5) [staging: negative_price]"
    ) in out
    assert (
        "events.csv: column 'event_type': accepted values impression, click, add_to_cart,"
        " purchase, hide (expect_column_values_to_pass_raw_contract_rule) 1 of 7 row(s) fail,"
        " e.g. 'scroll'"
    ) in out
    assert (
        "events.csv: column 'event_id': key event_id unique (expect_column_values_to_be_unique)"
        " 2 of 7 row(s) fail, e.g. 'E2' (line 3), 'E2' (line 8)"
    ) in out
    assert (
        "users.csv: column 'user_id': required (expect_column_values_to_not_be_null)"
        " 1 of 4 row(s) fail, e.g. empty (line 5)"
    ) in out
    assert "PASS offers.csv" in out and "5 of 8 raw files pass" in out
    assert "products.csv, users.csv, events.csv" in result.stderr


def contract_rules(table: str) -> set[tuple[str, str]]:
    """(reject_column, reject_reason) pairs staging derives from the contract."""
    rules = {(", ".join(TABLES[table].key), "duplicate_id")}
    for column in TABLES[table].columns:
        if column.required:
            rules.add((column.name, "missing_required"))
        rules |= {(column.name, reason) for reason in column_reasons(column)}
    return rules


def row_key(table: str, row: dict) -> str:
    """The row_key of expected_rejections.csv (tests/integration/test_files_mode.py)."""
    if table in ("match_labels",):
        return f"{row['offer_id']}|{row['product_id'] or ''}"
    if table == "experiment_assignments":
        return f"{row['experiment_id']}|{row['user_id']}"
    return row[TABLES[table].key[0]] or ""


@pytest.mark.parametrize("fixture", [FIXTURE, BAD_INPUT], ids=["raw_files", "bad_input"])
def test_suites_flag_exactly_the_rows_staging_rejects_for_a_contract_rule(fixture):
    """Row by row: the rows a suite fails are the rows staging rejects for a contract rule
    (same row, column and reason), and no row staging keeps fails."""
    with open(fixture / "expected_rejections.csv", newline="") as handle:
        expected = {
            (row["table_name"], row["row_key"], row["reject_column"], row["reject_reason"])
            for row in csv.DictReader(handle)
            if (row["reject_column"], row["reject_reason"]) in contract_rules(row["table_name"])
        }
    found = set()
    duplicates = {}
    for report in validate_folder(fixture, TABLES):
        frame = read_raw_file(report.files[0], TABLES[report.table]).to_dict("records")
        for finding in report.findings:
            assert finding.staging_reason, finding.message()
            for index in finding.rows or []:
                key = (report.table, row_key(report.table, frame[index]), finding.column)
                if finding.staging_reason == "duplicate_id":
                    duplicates.setdefault(key, []).append(index)
                else:
                    found.add((*key, finding.staging_reason))
    # Staging keeps the first of a duplicate pair and rejects the other; GE flags both.
    found |= {(*key, "duplicate_id") for key, rows in duplicates.items() if len(rows) > 1}
    assert found == expected


def test_suites_follow_the_contract_file(tmp_path):
    contract = yaml.safe_load((REPO / CONTRACT_PATH).read_text())
    for table in contract["sources"][0]["tables"]:
        for column in table["columns"]:
            if table["name"] == "events" and column["name"] == "event_type":
                column["config"]["meta"]["accepted_values"].append("scroll")
    edited = tmp_path / "contract.yml"
    edited.write_text(yaml.safe_dump(contract))
    folder = tmp_path / "raw"
    folder.mkdir()
    shutil.copy(FIXTURE / "events.csv", folder)
    (report,) = validate_folder(folder, load_contract(edited))
    columns = {finding.column for finding in report.findings}
    assert "event_type" not in columns and "price" in columns


def test_csv_and_parquet_of_one_table_fail_naming_both(tmp_path):
    shutil.copy(CLEAN / "users.csv", tmp_path)
    with duckdb.connect() as con:
        con.execute(
            f"copy (select 'U1' as user_id) to '{tmp_path / 'users.parquet'}' (format parquet)"
        )
    (report,) = validate_folder(tmp_path, TABLES)
    (finding,) = report.findings
    assert "users.csv and users.parquet" in finding.message()


def test_unknown_contract_type_names_table_and_column(tmp_path):
    text = (REPO / CONTRACT_PATH).read_text().replace("type: integer", "type: int", 1)
    edited = tmp_path / "contract.yml"
    edited.write_text(text)
    with pytest.raises(ValueError, match=r"raw table 'events', column 'position': type 'int'"):
        load_contract(edited)


TIMESTAMPS = ["2026-10-10 10:00:00", "2026-10-10T10:00:00.5+02:00", "2026-10-10", "2026-1-5"]
TIMESTAMPS += ["2026-10-10 10:00 UTC", "2026-10-10 10", "20261010", "2026-02-30", "10/10/2026"]
DECIMALS = ["1", "-1.5", "+2", ".5", "5.", "1e3", "1,5", "NaN", "inf", "0x10", "12;00"]


def test_type_checks_agree_with_duckdb_try_cast(tmp_path):
    rows = max(len(TIMESTAMPS), len(DECIMALS))
    with open(tmp_path / "products.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["product_id", "title", "price", "updated_at"])
        for i in range(rows):
            price = DECIMALS[i] if i < len(DECIMALS) else ""
            stamp = TIMESTAMPS[i] if i < len(TIMESTAMPS) else ""
            writer.writerow([f"P{i}", "Widget", price, stamp])
    (report,) = validate_folder(tmp_path, TABLES)
    flagged = {
        (finding.column, example.split(" (line")[0].strip("'"))
        for finding in report.findings
        if finding.staging_reason in ("unparseable_number", "unparseable_timestamp")
        for example in finding.examples
    }
    with duckdb.connect() as con:
        cast_fails = {
            (column, value)
            for column, values, sql_type in [
                ("price", DECIMALS, "decimal(18, 2)"),
                ("updated_at", TIMESTAMPS, "timestamp"),
            ]
            for value in values
            if con.execute(f"select try_cast(? as {sql_type}) is null", [value]).fetchone()[0]
        }
    assert flagged == cast_fails


def test_unreadable_files_are_findings_naming_file_line_and_column(tmp_path):
    (tmp_path / "products.csv").write_bytes(b"")
    (tmp_path / "users.csv").write_text("user_id,signup_at,country,segment\nU1,,FR\nU2,,FR,new\n")
    (tmp_path / "events.csv").write_bytes(
        (CLEAN / "events.csv").read_bytes() + b"E99,U1,P1,click,2026-10-10 10:00:00,S\xe9,,,,\n"
    )
    with duckdb.connect() as con:
        con.execute(
            f"copy (select 'O1' as offer_id, ['a'] as title) to '{tmp_path / 'offers.parquet'}'"
            " (format parquet)"
        )
    messages = {
        report.table: [finding.message() for finding in report.findings]
        for report in validate_folder(tmp_path, TABLES)
    }
    assert messages["products"] == [
        "products.csv: file is empty (0 bytes); a raw file holds at least its header line"
        " (readable file)"
    ]
    (users,) = messages["users"]
    assert (
        "users.csv: not a valid CSV" in users
        and "line 2, column 'segment': missing columns" in users
    )
    (events,) = messages["events"]
    assert (
        "events.csv: not a valid CSV" in events
        and "column 'session_id': invalid encoding" in events
    )
    (offers,) = messages["offers"]
    assert "offers.parquet: column 'title' has type VARCHAR[]" in offers


def test_validate_exits_1_not_a_traceback_on_a_non_utf8_file(tmp_path):
    folder = tmp_path / "raw"
    shutil.copytree(CLEAN, folder)
    users = folder / "users.csv"
    users.write_bytes(users.read_bytes() + b"U9,2026-03-01 00:00:00,FR,caf\xe9\n")  # Latin-1
    result = run_validate(folder, tmp_path / "docs")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "users.csv: not a valid CSV" in result.stdout and "invalid encoding" in result.stdout


VALUES = [  # (column type, text, reason staging gives it, with the default limits)
    ("decimal", "19.99", None),
    ("decimal", "19.999", "inexact_number"),
    ("decimal", "1e2", None),
    ("decimal", "1e30", "unparseable_number"),
    ("decimal", "1_000", "unparseable_number"),
    ("decimal", "2000000", "out_of_range"),
    ("decimal", "-1", "negative_price"),
    ("integer", "1.5", "inexact_number"),
    ("integer", "2", None),
    ("integer", "1e10", "unparseable_number"),
    ("timestamp", "2026-10-10 10:00:00+05:00", None),
    ("timestamp", "2026-10-10 10:00:00 Europe/Paris", "ambiguous_timezone"),
    ("timestamp", "2026-10-10 10:00 EST", "ambiguous_timezone"),
    ("timestamp", "2099-01-01", "in_future"),
    ("timestamp", "1969-12-31 23:59:59", "before_epoch"),
    ("timestamp", "2026-02-30", "unparseable_timestamp"),
]


@pytest.mark.parametrize(("column_type", "text", "reason"), VALUES)
def test_value_rules(column_type, text, reason):
    from catalog_ml.contract import LIMIT_VARS, RawColumn
    from catalog_ml.raw_values import first_problem

    column = RawColumn(
        name="x",
        description="",
        type=column_type,
        min=0 if column_type == "decimal" else None,
        max_var="raw_max_price" if column_type == "decimal" else None,
        reject_reason="negative_price" if column_type == "decimal" else None,
    )
    assert first_problem(text, column, LIMIT_VARS) == reason


def test_offsets_are_utc_and_text_is_cleaned():
    from catalog_ml.raw_values import clean_text, parse_timestamp_utc

    instants = {
        parse_timestamp_utc(text)
        for text in ["2026-10-10 10:00:00+05:00", "2026-10-10T05:00:00Z", "2026-10-09 21:00-08:00"]
    }
    assert len(instants) == 1
    assert clean_text("\t") is None and clean_text("\n \u00a0") is None
    assert clean_text(" a\u202eb\tc ") == "ab c"


def test_python_rules_use_the_macros_reason_order():
    from catalog_ml.raw_values import REASON_ORDER

    macro = (REPO / "macros" / "staging" / "validate_raw.sql").read_text()
    listed = macro[macro.index("set reason_order = [") :].split("]")[0]
    assert tuple(re.findall(r"'([a-z_]+)'", listed)) == REASON_ORDER
