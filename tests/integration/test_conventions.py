"""The conventions the tools check, on a fresh `dbt parse` of the project: dbt-score's project
score is at least 9.0, every model, seed and snapshot has meta.owner equal to its group's owner
(models/groups.yml), and every public mart has a primary key constraint and a data test on every
column (what dbt-coverage's column test coverage counts)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO, run_dbt

DBT_SCORE = str(Path(sys.executable).with_name("dbt-score"))
MIN_PROJECT_SCORE = 9.0


@pytest.fixture(scope="module")
def manifest_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workdir = tmp_path_factory.mktemp("conventions")
    result = run_dbt(["parse"], workdir)
    assert result.returncode == 0, result.stdout[-5000:]
    return workdir / "target" / "manifest.json"


@pytest.fixture(scope="module")
def manifest(manifest_path: Path) -> dict:
    return json.loads(manifest_path.read_text())


def public_marts(manifest: dict) -> dict[str, dict]:
    return {
        node_id: node
        for node_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
        and node["package_name"] == "catalog_ml"
        and node["original_file_path"].startswith("models/marts/")
        and node["access"] == "public"
    }


def test_dbt_score_of_the_project_is_at_least_9(manifest_path):
    result = subprocess.run(
        [DBT_SCORE, "lint", "--manifest", str(manifest_path), "--format", "json"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    report = json.loads(result.stdout)
    failing = sorted(
        (item["score"], name)
        for name, item in report["evaluables"].items()
        if item["score"] < MIN_PROJECT_SCORE
    )
    assert report["project"]["score"] >= MIN_PROJECT_SCORE, (
        f"dbt-score {report['project']['score']:.2f} < {MIN_PROJECT_SCORE}; lowest: {failing[:10]}"
    )


def test_every_node_is_owned_by_its_group_owner(manifest):
    groups = yaml.safe_load((REPO / "models" / "groups.yml").read_text())["groups"]
    owner_of = {group["name"]: group["owner"]["email"] for group in groups}
    wrong = {
        node_id: (node["config"].get("group"), node["config"].get("meta", {}).get("owner"))
        for node_id, node in manifest["nodes"].items()
        if node["resource_type"] in {"model", "seed", "snapshot"}
        and node["package_name"] == "catalog_ml"
        and (
            node["config"].get("group") not in owner_of
            or node["config"].get("meta", {}).get("owner") != owner_of[node["config"]["group"]]
            or node["meta"].get("owner") != owner_of[node["config"]["group"]]
        )
    }
    assert not wrong, f"(group, meta.owner) not matching models/groups.yml: {wrong}"


def test_public_marts_are_contracted_with_a_primary_key(manifest):
    marts = public_marts(manifest)
    assert len(marts) >= 8
    missing = []
    for node_id, node in marts.items():
        keys = [c for c in node["constraints"] if c["type"] == "primary_key"] + [
            c
            for column in node["columns"].values()
            for c in column.get("constraints", [])
            if c["type"] == "primary_key"
        ]
        if not node["contract"]["enforced"] or len(keys) != 1:
            missing.append(node_id)
    assert not missing, f"public marts without an enforced contract and one primary key: {missing}"


def test_every_public_mart_column_has_a_data_test(manifest):
    tested = {
        (node["attached_node"], node["column_name"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and node.get("attached_node") and node.get("column_name")
    }
    untested = sorted(
        f"{node['name']}.{column}"
        for node_id, node in public_marts(manifest).items()
        for column in node["columns"]
        if (node_id, column) not in tested
    )
    assert not untested, f"public mart columns without a data test: {untested}"
