"""The recommendations benchmark's parts without a build: the bootstrap (against numpy, on a
hand-made case), the figures from hand-made warehouse rows, the converter of public rating
files (purchase threshold, leave-last-out placement, errors that name file, line and value)
and the command's folder checks. The end-to-end run is tests/integration/test_bench_recs.py."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from catalog_ml.bench_recs import bootstrap as boot
from catalog_ml.bench_recs import cli, convert
from catalog_ml.bench_recs.figures import compute

REPO = Path(__file__).resolve().parents[2]
HEADERS = REPO / "tests" / "fixtures" / "raw_files_clean"
C = datetime(2026, 1, 15)
# per-user NDCG of two methods on eight users: b is a plus noise, never above 1
A = np.array([0.0, 0.2, 0.9, 0.4, 0.0, 1.0, 0.3, 0.6])
B = np.array([0.1, 0.0, 0.7, 0.5, 0.2, 0.8, 0.3, 0.4])


def read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def header(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()[0].split(",")


# --- bootstrap ---------------------------------------------------------------------------


def test_bootstrap_means_equal_numpy_and_intervals_bracket_them():
    intervals, draws = boot.bootstrap_means(np.column_stack([A, B]), resamples=1000, seed=3)
    for interval, column in zip(intervals, (A, B), strict=True):
        assert interval.estimate == pytest.approx(np.mean(column), abs=1e-12)
        assert interval.low < interval.estimate < interval.high
    assert draws.shape == (1000, 2)
    # the draws are means of resamples: their average is close to the mean
    assert draws.mean(axis=0) == pytest.approx([A.mean(), B.mean()], abs=0.02)
    # percentile interval = numpy's percentiles of the draws
    assert [intervals[0].low, intervals[0].high] == pytest.approx(
        np.percentile(draws[:, 0], [2.5, 97.5])
    )


def test_bootstrap_is_deterministic_for_a_seed():
    first, first_draws = boot.bootstrap_means(np.column_stack([A, B]), resamples=200, seed=7)
    again, again_draws = boot.bootstrap_means(np.column_stack([A, B]), resamples=200, seed=7)
    _, other_draws = boot.bootstrap_means(np.column_stack([A, B]), resamples=200, seed=8)
    assert first == again and np.array_equal(first_draws, again_draws)
    assert not np.array_equal(first_draws, other_draws)


def test_paired_interval_of_a_method_against_itself_is_zero():
    intervals, draws = boot.bootstrap_means(np.column_stack([A, A]), resamples=500, seed=1)
    same = boot.paired_difference(
        intervals[0].estimate, intervals[1].estimate, draws[:, 0], draws[:, 1]
    )
    assert (same.estimate, same.low, same.high) == (0.0, 0.0, 0.0)


def test_one_resample_serves_every_method():
    # b = a + 0.1 on every user: on the same users every draw differs by exactly 0.1, while
    # the unpaired intervals are wide
    intervals, draws = boot.bootstrap_means(np.column_stack([A + 0.1, A]), resamples=300, seed=2)
    paired = boot.paired_difference(
        intervals[0].estimate, intervals[1].estimate, draws[:, 0], draws[:, 1]
    )
    assert paired.estimate == pytest.approx(0.1)
    assert paired.low == pytest.approx(0.1) and paired.high == pytest.approx(0.1)
    assert intervals[1].high - intervals[1].low > 0.2


def test_resample_weights_draw_n_units_each_time():
    weights = list(boot.resample_weights(5, 50, seed=0))
    assert len(weights) == 50 and all(w.sum() == 5 and len(w) == 5 for w in weights)
    with pytest.raises(ValueError):
        list(boot.resample_weights(0, 1))


def test_no_resamples_gives_the_estimate_without_an_interval():
    intervals, _ = boot.bootstrap_means(A[:, None], resamples=0)
    assert intervals[0].estimate == pytest.approx(A.mean()) and intervals[0].low is None


# --- figures from warehouse rows ---------------------------------------------------------


def warehouse_rows() -> dict:
    """Three evaluated users, methods ranker and popularity (and a method another engineer
    may add: 'source_x', with no row for u3); a catalog of 10 products."""
    users = ["u1", "u2", "u3"]
    metrics = [
        ("ranker", "u1", 1.0, 1.0, 1.0),
        ("ranker", "u2", 0.5, 0.5, 0.5),
        ("ranker", "u3", 0.0, 0.0, 0.0),
        ("popularity", "u1", 0.0, 0.0, 0.0),
        ("popularity", "u2", 0.5, 1.0, 0.5),
        ("popularity", "u3", 0.1, 0.5, 0.25),
        ("source_x", "u1", 0.4, 0.4, 0.4),
        ("source_x", "u2", 0.4, 0.4, 0.4),
    ]
    lists = [("ranker", u, p) for u, p in [("u1", "p1"), ("u1", "p2"), ("u2", "p3"), ("u3", "p4")]]
    lists += [("popularity", u, "p1") for u in users] + [("source_x", "u1", "p9")]
    return {"users": users, "metrics": metrics, "lists": lists, "kept": {"products": 10}}


def test_figures_list_every_method_with_means_and_coverage():
    result = compute(warehouse_rows(), resamples=200, seed=5)
    assert set(result["methods"]) == {"ranker", "popularity", "source_x"}
    ranker, popularity = result["methods"]["ranker"], result["methods"]["popularity"]
    assert ranker["ndcg_at_k"]["estimate"] == pytest.approx(np.mean([1.0, 0.5, 0.0]))
    assert popularity["recall_at_k"]["estimate"] == pytest.approx(np.mean([0.0, 1.0, 0.5]))
    assert popularity["mrr"]["estimate"] == pytest.approx(0.25)
    assert ranker["catalog_coverage"]["estimate"] == pytest.approx(4 / 10)
    assert popularity["catalog_coverage"] == {"estimate": 0.1, "low": 0.1, "high": 0.1}
    # an evaluated user without a row counts as 0
    assert result["methods"]["source_x"]["ndcg_at_k"]["estimate"] == pytest.approx(0.8 / 3)
    assert result["methods"]["source_x"]["users_with_row"] == 2
    best = result["ranker_vs_best_baseline"]
    assert best["method"] == "source_x"  # mean NDCG 0.8 / 3 > popularity's 0.6 / 3
    assert best["estimate"] == pytest.approx(0.5 - 0.8 / 3)
    assert best["low"] <= best["estimate"] <= best["high"]
    assert set(result["ranker_vs"]) == {"popularity", "source_x"}


def test_the_best_baseline_is_never_the_rankers_own_list():
    rows = warehouse_rows()
    rows["metrics"] += [("ranker_before_reranking", u, 1.0, 1.0, 1.0) for u in rows["users"]]
    result = compute(rows, resamples=20)
    assert result["ranker_vs_best_baseline"]["method"] == "source_x"
    assert "ranker_before_reranking" in result["ranker_vs"]


def test_figures_without_a_ranker_or_users_have_no_paired_difference():
    rows = warehouse_rows()
    rows["metrics"] = [row for row in rows["metrics"] if row[0] != "ranker"]
    assert compute(rows, resamples=10)["ranker_vs_best_baseline"] is None
    empty = compute({**rows, "users": [], "metrics": [], "lists": []}, resamples=10)
    assert empty["methods"] == {} and empty["ranker_vs_best_baseline"] is None


# --- converter ---------------------------------------------------------------------------


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def test_udata_becomes_users_products_and_events_with_the_purchase_threshold(tmp_path):
    ratings = write(
        tmp_path / "u.data", "1\t10\t4\t881250949\n1\t20\t3\t881250950\n2\t10\t5\t881250951\n"
    )
    summary = convert.convert(ratings, tmp_path / "out")
    out = tmp_path / "out"
    for table in ("users", "products", "events"):
        assert header(out / f"{table}.csv") == header(HEADERS / f"{table}.csv")
    assert [u["user_id"] for u in read(out / "users.csv")] == ["1", "2"]
    assert all(u["segment"] == "" for u in read(out / "users.csv"))
    products = read(out / "products.csv")
    assert [(p["product_id"], p["title"]) for p in products] == [("10", "10"), ("20", "20")]
    events = read(out / "events.csv")
    assert [e["event_type"] for e in events] == ["purchase", "click", "purchase"]
    assert [e["event_id"] for e in events] == ["E1", "E2", "E3"]
    assert events[0]["event_ts"] == "1997-12-04 15:55:49"  # 881250949 in UTC
    assert all(e["session_id"] == "" for e in events)
    assert summary["cutoff"] is None and summary["purchases"] == 2
    convert.convert(ratings, tmp_path / "five", purchase_rating=5)
    assert [e["event_type"] for e in read(tmp_path / "five" / "events.csv")] == [
        "click",
        "click",
        "purchase",
    ]


def test_amazon_csv_and_headed_csv_and_item_titles(tmp_path):
    amazon = write(tmp_path / "amazon.csv", "A1,B001,5.0,1400000000\nA2,B002,3.5,1400000001\n")
    convert.convert(amazon, tmp_path / "amazon")
    events = read(tmp_path / "amazon" / "events.csv")
    assert [(e["user_id"], e["product_id"], e["event_type"]) for e in events] == [
        ("A1", "B001", "purchase"),
        ("A2", "B002", "click"),
    ]
    headed = write(tmp_path / "ratings.csv", "userId,movieId,rating,timestamp\n7,1,4.0,964982703\n")
    movies = write(tmp_path / "movies.csv", 'movieId,title,genres\n1,"Toy Story (1995)",Comedy\n')
    convert.convert(headed, tmp_path / "headed", items_path=movies)
    assert read(tmp_path / "headed" / "products.csv")[0]["title"] == "Toy Story (1995)"
    # MovieLens 100K's u.item: '|'-separated and Latin-1
    uitem = write(tmp_path / "u.item", "1|Café (1995)|01-Jan-1995||http://x|0|1\n", "latin-1")
    assert convert.read_titles(uitem) == {"1": "Café (1995)"}


def test_leave_last_out_places_history_then_training_label_then_evaluation_label(tmp_path):
    # user 1: five ratings out of time order, two in the same second; user 2: two; user 3: one
    ratings = write(
        tmp_path / "u.data",
        "1\t13\t4\t500\n1\t11\t2\t100\n2\t21\t5\t100\n1\t12\t4\t300\n1\t14\t5\t300\n"
        "3\t31\t1\t100\n1\t15\t1\t900\n2\t22\t3\t50\n",
    )
    summary = convert.convert(ratings, tmp_path / "out", leave_last_out=True, label_window_days=7)
    assert summary["cutoff"] == "2026-01-15 00:00:00"
    at = {
        (e["user_id"], e["product_id"]): datetime.fromisoformat(e["event_ts"])
        for e in read(tmp_path / "out" / "events.csv")
    }
    start, train = C - timedelta(days=30), C - timedelta(days=7)
    # time order 11 (100), 12 and 14 (300, file order), 13 (500), 15 (900)
    assert at[("1", "11")] == start
    assert at[("1", "12")] == start + timedelta(minutes=1)
    assert at[("1", "14")] == start + timedelta(minutes=2)
    assert at[("1", "13")] == train + timedelta(hours=1)  # second-to-last: a training label
    assert at[("1", "15")] == C + timedelta(hours=1)  # last: the evaluation label
    assert at[("2", "22")] == train + timedelta(hours=1) and at[("2", "21")] == C + timedelta(
        hours=1
    )
    assert at[("3", "31")] == C + timedelta(hours=1)
    history = [t for (user, _), t in at.items() if t < train]
    assert history and all(t < train for t in history)
    labels = [t for t in at.values() if train <= t < C]
    assert len(labels) == 2  # users 1 and 2


def test_leave_last_out_works_without_times_and_spreads_long_histories():
    times = convert.leave_last_out_times(4, 14)
    assert times == [
        C - timedelta(days=30),
        C - timedelta(days=30) + timedelta(minutes=1),
        C - timedelta(days=14) + timedelta(hours=1),
        C + timedelta(hours=1),
    ]
    long = convert.leave_last_out_times(30_000, 14)
    assert len(long) == 30_000 and long[-3] < C - timedelta(days=14)
    assert long == sorted(long)
    with pytest.raises(convert.ConvertError, match="--label-window-days 30"):
        convert.leave_last_out_times(3, 30)


def test_a_file_without_times_needs_leave_last_out(tmp_path):
    ratings = write(tmp_path / "r.csv", "u1,i1,5\nu1,i2,4\nu1,i3,1\n")
    with pytest.raises(convert.ConvertError, match="no timestamp column; use --leave-last-out"):
        convert.convert(ratings, tmp_path / "out")
    convert.convert(ratings, tmp_path / "out", leave_last_out=True)
    events = read(tmp_path / "out" / "events.csv")
    assert [e["event_ts"] for e in events] == [
        "2025-12-16 00:00:00",
        "2026-01-01 01:00:00",
        "2026-01-15 01:00:00",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1\t10\t4\t881250949\n1\t11\tfour\t881250950\n", "line 2: rating 'four' is not a number"),
        ("1\t10\t4\t881250949\n1\t11\t4\n", "line 2: 3 fields, expected 4"),
        ("1\t10\t4\t881250949\n\t11\t4\t881250950\n", "line 2: empty user id"),
        ("1\t10\t4\t881250949\n2\t11\t4\tyesterday\n", "line 2: timestamp 'yesterday'"),
        ("1\t10\t4\t881250949000\n", "line 1: timestamp '881250949000'"),
        ("1\t10\t4\t1\t9\n", "line 1: 5 fields, expected user, item, rating and timestamp"),
        ("1\t10\tnan\t881250949\n", "line 1: rating 'nan' is not a number"),
        ("customer,sku,stars,when\nu,i,5,1\n", "the header names no user, item column"),
    ],
)
def test_malformed_lines_name_the_file_line_and_value(tmp_path, text, message):
    ratings = write(tmp_path / "bad.data", text)
    with pytest.raises(convert.ConvertError, match=r"bad\.data") as error:
        convert.convert(ratings, tmp_path / "out")
    assert message in str(error.value)


def test_convert_main_prints_the_cutoff_and_exits_2_on_bad_input(tmp_path, capsys):
    ratings = write(tmp_path / "u.data", "1\t10\t4\t881250949\n1\t11\t4\t881250950\n")
    assert convert.main([str(ratings), str(tmp_path / "out"), "--leave-last-out"]) == 0
    assert "--cutoff '2026-01-15 00:00:00'" in capsys.readouterr().out
    items = write(tmp_path / "items.csv", "id;name\n1;x\n")
    code = convert.main([str(ratings), str(tmp_path / "out"), "--items", str(items)])
    assert code == 2
    assert "items.csv, line 1: expected 'id|title|...'" in capsys.readouterr().err


# --- the command's folder checks ---------------------------------------------------------


def recs_folder(folder: Path, tables=("products", "users", "events")) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for table in tables:
        (folder / f"{table}.csv").write_text((HEADERS / f"{table}.csv").read_text())
    return folder


def test_the_work_copy_has_every_contract_table_with_the_fixture_headers(tmp_path):
    folder = recs_folder(tmp_path / "data")
    cli.prepare_raw_folder(folder, tmp_path / "raw")
    for path in HEADERS.glob("*.csv"):
        copied = tmp_path / "raw" / path.name
        assert header(copied) == header(path), path.name
        is_given = path.stem in ("products", "users", "events")
        assert copied.read_text() == (
            path.read_text() if is_given else ",".join(header(path)) + "\n"
        )


def test_folder_errors_exit_2_before_any_build(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "run_build", lambda *args: pytest.fail("no build on a bad folder"))
    folder = recs_folder(tmp_path / "data", tables=("products", "users"))
    assert cli.main([str(folder)]) == 2
    assert "no events.csv or events.parquet" in capsys.readouterr().err
    recs_folder(folder)
    (folder / "events.parquet").write_bytes(b"")
    assert cli.main([str(folder)]) == 2
    assert "both events.csv and events.parquet; keep one" in capsys.readouterr().err
    (folder / "events.parquet").unlink()
    assert cli.main([str(folder), "--cutoff", "next week"]) == 2
    assert "--cutoff 'next week' is not a timestamp" in capsys.readouterr().err


def test_a_failed_build_prints_the_tail_of_dbts_output_and_exits_1(tmp_path, monkeypatch, capsys):
    folder = recs_folder(tmp_path / "data")
    seen = {}

    def failed_build(raw: Path, work: Path, project_dir: Path, extra_vars: dict) -> dict:
        seen["vars"] = extra_vars
        log = work / "dbt_build.log"
        log.write_text("".join(f"line {i}\n" for i in range(100)) + "Compilation Error\n")
        return {"returncode": 1, "log": str(log), "wall_seconds": 1.0, "peak_memory_mb": 1.0}

    monkeypatch.setattr(cli, "run_build", failed_build)
    work = tmp_path / "work"
    assert cli.main([str(folder), "--work", str(work), "--cutoff", "2026-01-15"]) == 1
    err = capsys.readouterr().err
    assert "Compilation Error" in err and "line 99" in err and "line 10\n" not in err
    assert "dbt build failed (exit 1)" in err and "no figures" in err
    assert seen["vars"] == {"recs_eval_cutoff": "2026-01-15 00:00:00"}
    assert not work.exists()  # the work folder is cleaned without --keep
