"""README "Adding a retrieval source", followed on a copy of the project: a toy source
(tests/fixtures/toy_source: trending products) is one model, one name in var
recs_retrieval_sources and `make sources`; the build then retrieves with it, measures its
recall, evaluates it alone as a baseline and gives the ranker its features."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from conftest import REPO, run_dbt

from catalog_ml.recs_sources import COLUMNS

TOY = REPO / "tests" / "fixtures" / "toy_source"
COPIED = ["dbt_project.yml", "models", "python_models", "macros", "seeds", "snapshots", "tests/dbt"]


@pytest.fixture(scope="module")
def with_toy_source(tmp_path_factory):
    project = tmp_path_factory.mktemp("project")
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, project / name)
        else:
            shutil.copy(source, project / name)
    # 1. the model (and its YAML) beside the other sources
    for path in TOY.iterdir():
        shutil.copy(path, project / "models" / "intermediate" / "recommendations" / path.name)
    # 2. its name in the list
    settings = project / "dbt_project.yml"
    line = "  recs_retrieval_sources: [sequential, covisitation, collaborative, content, history, popularity]"
    assert line in settings.read_text()
    settings.write_text(settings.read_text().replace(line, line[:-1] + ", trending]"))
    # 3. make sources
    generated = subprocess.run(
        [sys.executable, "-m", "catalog_ml.recs_sources", "--repo", str(project)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert generated.stdout.count("rewrote") == len(COLUMNS)
    workdir = tmp_path_factory.mktemp("toy_build")
    selected = "+eval_retrieval_recall +eval_ranking_metrics"
    result = run_dbt(
        # cautious: only the tests whose every parent is built (not those reaching unbuilt marts)
        [
            "build",
            "-s",
            selected,
            "--indirect-selection",
            "cautious",
            "--vars",
            "{demo_scale: 0.05}",
        ],
        workdir,
        project=project,
    )
    assert result.returncode == 0, result.stdout[-6000:]
    return workdir


def test_the_new_source_is_retrieved_measured_and_evaluated_alone(with_toy_source, query):
    recall = query(
        with_toy_source, "select source_name, users_with_candidates from eval_retrieval_recall"
    )
    assert dict(recall).get("trending", 0) > 0, recall
    methods = {row[0] for row in query(with_toy_source, "select method from eval_ranking_metrics")}
    assert "source_trending" in methods


def test_the_ranker_learns_from_the_new_source(with_toy_source, query):
    candidates = query(
        with_toy_source,
        "select count(*) from int_recs_ranker_candidates where trending_rank is not null",
    )
    assert candidates[0][0] > 0
    (features,) = query(
        with_toy_source, "select feature_names_json from ml_ranker_train order by trained_at desc"
    )[0]
    assert {"trending_relative_score", "trending_rank"} <= set(json.loads(features))
