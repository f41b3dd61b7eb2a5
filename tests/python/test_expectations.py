"""Great Expectations suites generated from the raw data contract (`make validate`).

tests/fixtures/raw_files_clean holds the good rows of tests/fixtures/raw_files (no row
staging rejects); tests/fixtures/raw_files holds one bad row per defect, and the suites
must flag exactly the rows staging rejects for a contract rule.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from catalog_ml.contract import CONTRACT_PATH, load_contract
from catalog_ml.expectations import validate_folder

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "raw_files"
CLEAN = REPO / "tests" / "fixtures" / "raw_files_clean"
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
        "products.csv: column 'price': min 0 (expect_column_values_to_be_numbers_at_least)"
        " 1 of 4 row(s) fail, e.g. '-3.50' (line 5) [staging: negative_price]"
    ) in out
    assert (
        "events.csv: column 'event_type': accepted values impression, click, add_to_cart,"
        " purchase, hide (expect_column_values_to_be_in_set) 1 of 7 row(s) fail, e.g. 'scroll'"
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
        if column.type:
            reason = "unparseable_timestamp" if column.type == "timestamp" else "unparseable_number"
            rules.add((column.name, reason))
        if column.min is not None or column.accepted_values is not None:
            rules.add((column.name, column.reject_reason or "invalid_value"))
    return rules


def test_suites_flag_exactly_the_rows_staging_rejects_for_a_contract_rule():
    with open(FIXTURE / "expected_rejections.csv", newline="") as handle:
        rejected = list(csv.DictReader(handle))
    expected: dict[tuple[str, str, str], int] = {}
    for row in rejected:
        rule = (row["reject_column"], row["reject_reason"])
        if rule in contract_rules(row["table_name"]):
            key = (row["table_name"], *rule)
            expected[key] = expected.get(key, 0) + 1
    found: dict[tuple[str, str, str], int] = {}
    for report in validate_folder(FIXTURE, TABLES):
        for finding in report.findings:
            key = (report.table, finding.column, finding.staging_reason)
            found[key] = max(found.get(key, 0), finding.unexpected_count or 0)
    # Staging keeps the first of a duplicate pair and rejects the other; GE flags both.
    found = {k: n // 2 if k[2] == "duplicate_id" else n for k, n in found.items()}
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
