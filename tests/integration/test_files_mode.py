"""Files mode on a hand-written fixture: exactly the planted bad rows are rejected, for the
planted reason; kept rows are normalised; a broken file fails with a message naming it."""

from __future__ import annotations

import csv
import shutil
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


def test_exactly_the_planted_bad_rows_are_rejected_for_their_reason(built, query):
    rejected = set()
    for table, key in ROW_KEYS.items():
        sql = f"select {key}, reject_reason, reject_column from stg_{table}_rejected"
        rejected |= {(table, *row) for row in query(built, sql)}
    with open(FIXTURE / "expected_rejections.csv", newline="") as handle:
        expected = {tuple(row.values()) for row in csv.DictReader(handle)}
    assert rejected == expected


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


def test_missing_required_column_fails_naming_table_and_column(tmp_path):
    folder = broken_copy(tmp_path, "offers", lambda p: rewrite_csv(p, drop="title"))
    result = run_dbt(
        ["run", "-s", "stg_offers_checked", "--vars", files_vars(folder)], tmp_path / "w"
    )
    assert result.returncode != 0
    assert "raw table 'offers'" in result.stdout
    assert "missing required column 'title'" in result.stdout


def test_renamed_column_fails_naming_table_and_column(tmp_path):
    folder = broken_copy(
        tmp_path, "products", lambda p: rewrite_csv(p, rename=("brand", "brand_name"))
    )
    result = run_dbt(
        ["run", "-s", "stg_products_checked", "--vars", files_vars(folder)], tmp_path / "w"
    )
    assert result.returncode != 0
    assert "raw table 'products'" in result.stdout
    assert "unexpected column 'brand_name'" in result.stdout


def test_missing_file_fails_naming_the_file(tmp_path):
    folder = broken_copy(tmp_path, "users", lambda p: p.unlink())
    result = run_dbt(
        ["run", "-s", "stg_users_checked", "--vars", files_vars(folder)], tmp_path / "w"
    )
    assert result.returncode != 0
    assert "no file users.csv or users.parquet" in result.stdout


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
