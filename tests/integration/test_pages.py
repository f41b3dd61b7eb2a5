"""What people open after a build, in a real headless browser (Chromium from the OS packages,
catalog_ml.browser): the static dbt docs page (`make docs`: models, search, lineage,
metrics, model cards, exposures linking to the pages) and the report (`make report`: every
figure inline with its caption, nothing fetched from elsewhere)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from conftest import DEMO_SCALE, REPO, run_dbt

from catalog_ml.browser import open_page
from catalog_ml.report import data
from catalog_ml.report.page import SECTIONS
from catalog_ml.warehouse import connect

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?(?:https?:)?//""")
MODEL_PREFIXES = ("stg_", "int_", "ml_", "eval_", "mon_", "fct_", "dim_")


@pytest.fixture(scope="module")
def docs_build(demo_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the shared demo warehouse and its artifacts, where `dbt docs generate` writes
    its own target/ (the shared build's run_results.json stays the build's, which publish and
    other tests read)."""
    workdir = tmp_path_factory.mktemp("pages")
    shutil.copy(demo_build / "warehouse.duckdb", workdir / "warehouse.duckdb")
    shutil.copytree(demo_build / "target", workdir / "target")
    return workdir


@pytest.fixture(scope="module")
def pages(docs_build: Path) -> dict[str, Path]:
    """`make docs` and `make report` on the shared demo build, into a work folder of their own."""
    result = run_dbt(["docs", "generate", "--vars", f"{{demo_scale: {DEMO_SCALE}}}"], docs_build)
    assert result.returncode == 0, result.stdout[-4000:]
    warehouse = docs_build / "warehouse.duckdb"
    out = {
        "docs": docs_build / "docs" / "index.html",
        "report": docs_build / "report" / "index.html",
    }
    commands = [
        ["catalog_ml.docs", "--target", str(docs_build / "target"), "--warehouse", str(warehouse)],
        ["catalog_ml.report", str(warehouse)],
    ]
    for (_, path), command in zip(out.items(), commands, strict=True):
        done = subprocess.run(
            [sys.executable, "-m", *command, "--out", str(path)], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr[-4000:]
    return out


def test_report_has_every_figure_inline_with_a_caption(pages):
    text = pages["report"].read_text(encoding="utf-8")
    for section in SECTIONS:
        figure = re.search(rf'<figure id="{section.anchor}">(.*?)</figure>', text, re.S)
        assert figure, section.anchor
        assert "<svg" in figure[1] and "<figcaption>" in figure[1], section.anchor
    assert not EXTERNAL.search(text)
    assert "<script" not in text and "<link" not in text
    with open_page(pages["report"]) as page:
        sizes = page.eval_on_selector_all(
            "figure svg", "els => els.map(e => e.getBoundingClientRect().width)"
        )
        assert len(sizes) == len(SECTIONS) and min(sizes) > 100
        assert page.locator("figcaption").count() == len(SECTIONS)
        assert page.blocked_requests == []


def test_docs_page_renders_models_search_lineage_metrics_and_cards(pages, docs_build):
    manifest = json.loads((docs_build / "target" / "manifest.json").read_text())
    metric = next(iter(manifest["metrics"].values()))["name"]
    with open_page(pages["docs"]) as page:
        base = page.url.split("#")[0]
        page.wait_for_selector("text=Where to start")  # the overview doc block
        page.fill("input[placeholder='Search for models...']", "fct_offer_matches")
        page.click(".search-result[href='#!/model/model.catalog_ml.fct_offer_matches']")
        page.locator("h1:visible", has_text="fct_offer_matches").wait_for()
        page.locator(".launcher-btn").first.click()
        page.wait_for_selector("#cy canvas")
        assert page.locator("#cy canvas").count() > 0  # the lineage graph is drawn
        page.goto(f"{base}#!/model/model.catalog_ml.ml_matcher_train")
        page.locator("h3:visible", has_text="Model card: matcher").wait_for()
        assert page.locator("h4:visible", has_text="Known limits").count() == 1
        page.goto(f"{base}#!/metric/metric.catalog_ml.{metric}")
        page.locator("h1:visible", has_text=metric).wait_for()
        assert page.blocked_requests == []


def test_every_exposure_links_to_a_page(pages, docs_build):
    manifest = json.loads((docs_build / "target" / "manifest.json").read_text())
    docs_url = pages["docs"].resolve().as_uri()
    report = pages["report"].read_text(encoding="utf-8")
    for exposure in manifest["exposures"].values():
        url = exposure.get("url")
        assert url, f"exposure {exposure['name']} has no url"
        target = urlparse(urljoin(docs_url, url))
        if target.scheme == "file":
            assert Path(target.path).exists(), (exposure["name"], url)
            assert f'id="{target.fragment}"' in report, (exposure["name"], url)
        else:  # a page a make target serves on this machine (make review, make serve)
            assert target.hostname == "127.0.0.1", (exposure["name"], url)


def test_the_overview_names_only_models_that_exist(demo_build):
    manifest = json.loads((demo_build / "target" / "manifest.json").read_text())
    models = {node["name"] for node in manifest["nodes"].values()}
    groups = {group["name"] for group in manifest["groups"].values()}  # ml_engineering
    overview = next(
        doc["block_contents"] for doc in manifest["docs"].values() if doc["name"] == "__overview__"
    )
    named = {
        word
        for word in re.findall(r"\b[a-z][a-z0-9_]*\b", overview)
        if word.startswith(MODEL_PREFIXES) and not word.endswith("_") and word not in groups
    }
    assert named and named <= models, sorted(named - models)
    assert (REPO / "models" / "docs.md").read_text().count("{% docs __overview__ %}") == 1


def test_ndcg_figure_data_are_the_evaluation_means(demo_build):
    """The figure's per-segment means are eval_ranking_metrics' (its intervals are added on
    the same per-user rows), and each interval holds its estimate."""
    with connect(demo_build / "warehouse.duckdb") as con:
        frame = data.ndcg_by_segment(con, data.tables(con))
        expected = {
            (method, segment): (value, users)
            for method, segment, value, users in con.execute(
                "select method, user_segment, ndcg_at_k, evaluated_users from eval_ranking_metrics"
            ).fetchall()
        }
    assert set(frame["method"]) == set(data.RANKING_METHODS)
    for row in frame.itertuples(index=False):
        value, users = expected[(row.method, row.user_segment)]
        assert row.ndcg == pytest.approx(value, abs=1e-9) and row.users == users
        assert row.low <= row.ndcg <= row.high
