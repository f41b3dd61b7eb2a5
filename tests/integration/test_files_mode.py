"""Files mode on a hand-written fixture: exactly the planted bad rows are rejected, for the
planted reason; kept rows are normalised; a broken file fails with a message naming it."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from conftest import FIXTURE, run_dbt

ROW_KEYS = {
    "products": "product_id",
    "offers": "offer_id",
    "match_labels": "offer_id || '|' || coalesce(product_id, '')",
    "match_overrides": "offer_id",
    "users": "coalesce(user_id, '')",
    "events": "event_id",
    "experiments": "experiment_id",
    "experiment_assignments": "experiment_id || '|' || user_id",
}


def files_vars(folder: Path) -> str:
    return "{raw_source: files, raw_data_path: '" + str(folder) + "'}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture built in files mode. It is mostly bad rows and too small to train on, so
    the health summary's checks rightly fail (test_the_health_summary_says_why): they are left
    out here and read below."""
    workdir = tmp_path_factory.mktemp("files_mode")
    health_tests = ["--exclude", "test_name:monitor_checks_pass"]
    result = run_dbt(["build", "--vars", files_vars(FIXTURE), *health_tests], workdir)
    assert result.returncode == 0, result.stdout[-5000:]
    return workdir


def test_the_health_summary_says_why(built, query):
    rows = query(built, "select check_name, subject, status, message from mon_health_summary")
    status = {(check, subject): status for check, subject, status, _ in rows}
    # 10 of the 15 raw events are planted bad rows: above rejected_rate_error (50%)
    assert status[("rejected_row_rate", "events")] == "error"
    # too few labels and interactions to train: no champion, so nothing to monitor
    assert status[("one_champion", "matcher")] == status[("one_champion", "recs_ranker")] == "error"
    assert status[("feature_drift_psi", "matcher")] == "error"
    assert status[("training_serving_skew", "recs_ranker")] == "error"
    # the fixture's files carry no loaded_at: freshness is unknown, a warning
    freshness = [(s, m) for c, _, s, m in rows if c == "source_freshness"]
    assert len(freshness) == 8
    assert all(s == "warn" and "freshness unknown" in m for s, m in freshness)


def rejections(workdir, query) -> set[tuple]:
    """(table, row key, reject_reason, reject_column) of every quarantined row."""
    rejected = set()
    for table, key in ROW_KEYS.items():
        sql = f"select {key}, reject_reason, reject_column from stg_{table}_rejected"
        rejected |= {(table, *row) for row in query(workdir, sql)}
    return rejected


def expected_rejections(folder) -> set[tuple]:
    """The same, as a fixture folder's expected_rejections.csv lists them."""
    with open(folder / "expected_rejections.csv", newline="") as handle:
        return {tuple(row.values()) for row in csv.DictReader(handle)}


def test_exactly_the_planted_bad_rows_are_rejected_for_their_reason(built, query):
    assert rejections(built, query) == expected_rejections(FIXTURE)


def test_rows_in_equal_rows_kept_plus_rejected_in_the_summary(built, query):
    counts = dict(query(built, "select table_name, max(rows_in) from mon_rejected_rows group by 1"))
    kept = dict(
        query(built, "select table_name, row_count from mon_rejected_rows where outcome = 'kept'")
    )
    assert counts["events"] == 15 and kept["events"] == 5
    assert counts["products"] == 9 and kept["products"] == 3


def test_listings_are_normalised(built, query):
    products = {
        row[0]: row
        for row in query(
            built,
            "select product_id, title, brand, category, gtin, has_invalid_gtin, model_number, price"
            " from stg_products",
        )
    }
    assert products["P1"][4:7] == ("04548736112100", False, "WH1000XM4")
    assert products["P2"][2] == "Apple"  # 'apple inc.' through the alias seed
    assert products["P2"][3] == "Electronics > Tablets > iPads"
    assert products["P2"][5] is True  # 7-digit GTIN
    assert products["P3"][1] == "Bosch GSR 12V-15 Drill Driver"  # trimmed
    assert products["P3"][6] == "GSR12V15"  # given model number wins
    offers = dict(query(built, "select offer_id, model_number from stg_offers"))
    assert offers["O1"] == "WH1000XM4"  # extracted from the noisy title


def test_latest_override_wins(built, query):
    latest = query(
        built, "select offer_id, product_id from stg_match_overrides where is_latest order by 1"
    )
    assert latest == [("O1", "P1"), ("O2", None), ("O3", "P3")]


def broken_copy(tmp_path: Path, table: str, edit) -> Path:
    folder = tmp_path / "raw"
    shutil.copytree(FIXTURE, folder)
    path = folder / f"{table}.csv"
    edit(path)
    return folder


def rewrite_csv(path: Path, drop: str | None = None, rename: tuple[str, str] | None = None) -> None:
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if drop:
            row.pop(drop)
        if rename:
            row[rename[1]] = row.pop(rename[0])
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.parametrize(
    ("table", "break_file", "messages"),
    [
        (
            "offers",
            lambda path: rewrite_csv(path, drop="title"),
            ["raw table 'offers'", "missing required column 'title'"],
        ),
        (
            "products",
            lambda path: rewrite_csv(path, rename=("brand", "brand_name")),
            ["raw table 'products'", "unexpected column 'brand_name'"],
        ),
        ("users", lambda path: path.unlink(), ["no file users.csv or users.parquet"]),
    ],
    ids=["missing_required_column", "renamed_column", "missing_file"],
)
def test_a_broken_file_fails_naming_table_column_or_file(tmp_path, table, break_file, messages):
    folder = broken_copy(tmp_path, table, break_file)
    result = run_dbt(
        ["run", "-s", f"stg_{table}_checked", "--vars", files_vars(folder)], tmp_path / "w"
    )
    assert result.returncode != 0
    for message in messages:
        assert message in result.stdout


def test_parquet_with_only_required_columns_builds_with_nulls(tmp_path, query):
    def to_minimal_parquet(path: Path) -> None:
        with duckdb.connect() as con:
            con.execute(
                f"copy (select product_id, title, price from read_csv('{path}', all_varchar = true))"
                f" to '{path.with_suffix('.parquet')}' (format parquet)"
            )
        path.unlink()

    folder = broken_copy(tmp_path, "products", to_minimal_parquet)
    workdir = tmp_path / "w"
    select = ["+stg_products", "stg_products_rejected", "--indirect-selection", "cautious"]
    result = run_dbt(
        ["build", "-s", *select, "--vars", files_vars(folder)],
        workdir,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    rows = query(workdir, "select product_id, brand, category, price from stg_products order by 1")
    assert rows[0][0] == "P1" and rows[0][1:3] == (None, None) and float(rows[0][3]) == 348.0


# --- Bad input (issue 15): tests/fixtures/raw_files_bad_input holds one row per class of bad
# value (time zones, rounding, limits, currencies, blank-but-not-empty text, bidi characters,
# formulas, non-Latin titles) and three header-only tables.
BAD_INPUT = FIXTURE.parent / "raw_files_bad_input"
STAGING_ONLY = ["resource_type:seed", "path:models/staging", "mon_rejected_rows"]


@pytest.fixture(scope="module")
def bad_input_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workdir = tmp_path_factory.mktemp("bad_input")
    select = [*STAGING_ONLY, "int_catalog_listings", "int_catalog_title_tokens"]
    args = ["build", "-s", *select, "--indirect-selection", "cautious"]
    result = run_dbt([*args, "--vars", files_vars(BAD_INPUT)], workdir)
    assert result.returncode == 0, result.stdout[-5000:]
    return workdir


def test_bad_input_rows_are_rejected_for_their_reason(bad_input_built, query):
    assert rejections(bad_input_built, query) == expected_rejections(BAD_INPUT)


def test_offsets_are_converted_to_utc(bad_input_built, query):
    events = dict(query(bad_input_built, "select event_id, event_at from stg_events"))
    # +05:00, Z and -08:00 spellings of one instant; a zone name (F5) is rejected
    assert events["F1"] == events["F2"] == events["F3"] == datetime(2026, 10, 10, 5, 0)
    products = dict(query(bad_input_built, "select product_id, updated_at from stg_products"))
    assert products["Q1"] == products["Q2"] == products["Q3"] == datetime(2026, 9, 1, 5, 0)
    planned = query(
        bad_input_built, "select end_at from stg_experiments where experiment_id = 'X1'"
    )
    assert planned == [(datetime(2099, 12, 31),)]  # planned dates may be in the future


def test_text_in_any_script_is_kept_cleaned_and_neutralised(bad_input_built, query):
    sql = "select product_id, title, title_normalized, brand, description, price from stg_products"
    products = {row[0]: row[1:] for row in query(bad_input_built, sql)}
    assert products["Q1"][1] == "سماعات رأس لاسلكية سوني"
    assert products["Q2"][1] == "אוזניות אלחוטיות"
    assert products["Q3"][1] == "索尼无线降噪耳机"
    assert products["Q4"][1] == "🎧🎧"
    assert products["Q5"][1] == "cafe creme machine"  # accents folded, not split
    assert products["Q5"][4] == 100  # 1e2 is exact
    assert products["Q6"][0] == '\'=HYPERLINK("http://example.com","click")'
    assert products["Q6"][2] == "'@brand"
    assert products["Q7"][0] == "Widgetgpj.exe" and products["Q7"][3] == "Description"
    tokens = query(
        bad_input_built,
        "select listing_id, token from int_catalog_title_tokens where listing_id in ('Q1', 'Q5')",
    )
    assert ("Q1", "سماعات") in tokens and ("Q5", "cafe") in tokens


def test_every_table_is_in_mon_rejected_rows_even_header_only(bad_input_built, query):
    rows = query(
        bad_input_built,
        "select table_name, row_count, rows_in from mon_rejected_rows where outcome = 'kept'",
    )
    kept = {table: (count, rows_in) for table, count, rows_in in rows}
    assert set(kept) == set(ROW_KEYS)
    assert kept["match_labels"] == kept["match_overrides"] == (0, 0)
    assert kept["experiment_assignments"] == (0, 0)


def test_unreadable_files_fail_naming_file_line_and_column(tmp_path):
    # A folder name with an apostrophe and brackets is read as it is (quoted, not pasted).
    folder = tmp_path / "o'brien [raw]"
    shutil.copytree(FIXTURE, folder)
    (folder / "products.csv").write_bytes(b"")
    users = (folder / "users.csv").read_text().splitlines()
    users.insert(2, "U9,2026-01-01 00:00:00,FR")  # one value short, early in the file
    (folder / "users.csv").write_text("\n".join(users) + "\n")
    (folder / "experiments.csv").write_bytes(
        (folder / "experiments.csv").read_bytes() + b"X9,caf\xe9,,,,,,\n"
    )
    (folder / "offers.csv").unlink()
    with duckdb.connect() as con:
        con.execute(
            "copy (select 'O1' as offer_id, 'M1' as merchant_id, ['a', 'b'] as title)"
            f" to '{str(folder / 'offers.parquet').replace(chr(39), chr(39) * 2)}' (format parquet)"
        )
    checked = ["stg_products_checked", "stg_users_checked"]
    checked += ["stg_offers_checked", "stg_experiments_checked"]
    # JSON (valid YAML) quotes the apostrophe for dbt's --vars.
    files_json = json.dumps({"raw_source": "files", "raw_data_path": str(folder)})
    result = run_dbt(["run", "-s", *checked, "--vars", files_json], tmp_path / "w")
    out = " ".join(result.stdout.split())
    assert result.returncode != 0
    assert "ERROR=4" in out
    # every file was found and opened in the folder with the apostrophe
    assert str(folder / "products.csv") in out and str(folder / "offers.parquet") in out
    assert "products.csv is empty (0 bytes)" in out
    assert (
        "users.csv is not a valid CSV" in out and "line 3, column 'segment': missing columns" in out
    )
    assert (
        "experiments.csv is not a valid CSV" in out
        and "line 5, column 'name': invalid encoding" in out
    )
    assert "offers.parquet) column 'title' has type VARCHAR[]" in out
    assert "column0" not in out


def test_raw_data_path_is_a_literal_not_sql(tmp_path, query):
    crafted = "x'); create table pwned as select 1; --"
    workdir = tmp_path / "w"
    result = run_dbt(
        [
            "run",
            "-s",
            "stg_users_checked",
            "--vars",
            '{raw_source: files, raw_data_path: "' + crafted + '"}',
        ],
        workdir,
    )
    assert result.returncode != 0
    assert "no file users.csv or users.parquet in folder" in result.stdout
    if (workdir / "warehouse.duckdb").exists():
        tables = query(workdir, "select table_name from information_schema.tables")
        assert ("pwned",) not in tables
