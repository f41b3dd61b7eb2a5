"""The reviewer's loop end to end: decisions made in the review page, in a real headless
Chromium, change those offers' decisions in the next build (demo mode); reviewer files join
the raw tables in files mode too, checked like any raw row."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import DEMO_SCALE, FIXTURE, run_dbt

from catalog_ml.browser import BrowserUnavailable, chromium_path, open_page
from catalog_ml.serving.redis_server import free_port
from catalog_ml.warehouse import connect

# Only what reads reviewer decisions and leads to the public decision mart: the raw
# overrides and labels, their staging, the matcher (labels are its training data), decisions.
REBUILD = [
    "stg_match_overrides_checked+,+fct_offer_matches",
    "stg_match_labels_checked+,+fct_offer_matches",
    "stg_match_overrides_checked+,+fct_match_review_queue",
]


def rows(workdir: Path, sql: str, params: list | None = None) -> list[tuple]:
    with connect(workdir / "warehouse.duckdb", read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="module")
def browser_ready() -> str:
    try:
        return chromium_path()
    except BrowserUnavailable as error:
        pytest.skip(f"no headless browser: {error}")


@pytest.fixture(scope="module")
def review_build(demo_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the shared demo build that this module may rebuild."""
    workdir = tmp_path_factory.mktemp("review")
    for name in ("warehouse.duckdb", "warehouse.duckdb.wal"):
        if (demo_build / name).exists():
            shutil.copyfile(demo_build / name, workdir / name)
    return workdir


@pytest.fixture()
def review_page(review_build: Path):
    """`python -m catalog_ml.review` (what `make review` runs) on a free port; stopped after."""
    port = free_port()
    decisions = review_build / "reviews"
    command = [sys.executable, "-m", "catalog_ml.review", "--warehouse", "warehouse.duckdb"]
    command += ["--decisions-dir", str(decisions), "--port", str(port)]
    process = subprocess.Popen(
        command,
        cwd=review_build,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/api/queue?limit=1", timeout=5).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    pytest.fail(f"review page did not start: {process.communicate()[0][-3000:]}")
                time.sleep(0.3)
        yield url, decisions
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_decisions_made_in_the_page_change_the_next_build(browser_ready, review_build, review_page):
    url, decisions = review_page
    queue = rows(
        review_build,
        "select offer_id, candidate_1_product_id from fct_match_review_queue order by queue_rank"
        " limit 2",
    )
    assert len(queue) == 2, "the demo build has no review queue to work"
    (rejected, _), (accepted, proposed) = queue
    before = dict(
        rows(
            review_build,
            "select offer_id, decision from fct_offer_matches where offer_id in (?, ?)",
            [rejected, accepted],
        )
    )
    assert before == {rejected: "review", accepted: "review"}

    with open_page(url + "/") as page:
        assert page.blocked_requests == []
        first = page.locator("#queue tr[data-offer-id]").first
        assert first.get_attribute("data-offer-id") == rejected  # the queue's own order
        first.locator("a").click()
        page.wait_for_selector("#listings")
        assert page.locator("#features tr").count() > 5  # features with their effect
        page.fill("#reviewer", "reviewer-e2e")
        page.fill("#reason", "accessory, not the product")
        page.click("#reject")
        page.wait_for_selector("#message")
        assert rejected in page.inner_text("#message")
        # the second offer: accept the proposed product; the reviewer is remembered
        page.locator(f"#queue tr[data-offer-id='{accepted}'] a").click()
        page.wait_for_selector("#listings")
        assert page.input_value("#reviewer") == "reviewer-e2e"
        page.click("#accept")
        page.wait_for_selector("#message")
        assert "decided: matches no product" in page.inner_text(f"tr[data-offer-id='{rejected}']")

    variables = f"{{demo_scale: {DEMO_SCALE}, review_data_path: '{decisions}'}}"
    result = run_dbt(["build", "--select", *REBUILD, "--vars", variables], review_build)
    assert result.returncode == 0, result.stdout[-8000:]

    after = {
        offer: (decision, source, product)
        for offer, decision, source, product in rows(
            review_build,
            "select offer_id, decision, decision_source, product_id from fct_offer_matches"
            " where offer_id in (?, ?)",
            [rejected, accepted],
        )
    }
    assert after == {
        rejected: ("no_match", "override", None),
        accepted: ("matched", "override", proposed),
    }
    reviewers = rows(
        review_build,
        "select distinct reviewer from stg_match_overrides where offer_id in (?, ?)",
        [rejected, accepted],
    )
    assert reviewers == [("reviewer-e2e",)]
    labels = rows(
        review_build,
        "select product_id, is_match from stg_match_labels where offer_id = ?",
        [accepted],
    )
    assert (proposed, True) in labels
    still_queued = rows(
        review_build,
        "select offer_id from fct_match_review_queue where offer_id in (?, ?)",
        [rejected, accepted],
    )
    assert still_queued == []


def files_vars(raw: Path, review: Path) -> str:
    return f"{{raw_source: files, raw_data_path: '{raw}', review_data_path: '{review}'}}"


def test_files_mode_reads_a_review_folder_once_and_checks_its_rows(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(FIXTURE, raw)
    review = tmp_path / "reviews"
    review.mkdir()
    (review / "match_overrides.csv").write_text(
        "offer_id,product_id,reviewer,reason,created_at\n"
        "O2,P2,dana,same listing,2026-10-08T09:00:00Z\n"
        "O1,P1,dana,,not a time\n",
        encoding="utf-8",
    )
    # tests only where every parent is built (this warehouse holds nothing else)
    select = ["--select", "+stg_match_overrides_rejected", "+stg_match_overrides"]
    select += ["--indirect-selection", "cautious"]
    result = run_dbt(["build", *select, "--vars", files_vars(raw, review)], tmp_path / "w1")
    assert result.returncode == 0, result.stdout[-5000:]
    kept = rows(
        tmp_path / "w1",
        "select offer_id, product_id, reviewer from stg_match_overrides where reviewer = 'dana'",
    )
    assert kept == [("O2", "P2", "dana")]
    rejected = rows(
        tmp_path / "w1",
        "select offer_id, reject_reason, reject_column from stg_match_overrides_rejected where reviewer = 'dana'",
    )
    assert rejected == [("O1", "unparseable_timestamp", "created_at")]
    fixture_rows = len((raw / "match_overrides.csv").read_text().strip().splitlines()) - 1

    # the raw folder itself as the review folder: its files are read once, not twice
    result = run_dbt(["build", *select, "--vars", files_vars(raw, raw)], tmp_path / "w2")
    assert result.returncode == 0, result.stdout[-5000:]
    (count,) = rows(tmp_path / "w2", "select count(*) from stg_match_overrides_checked")[0]
    assert count == fixture_rows
