"""The per-source column entries of the ranker's YAML follow the source list (catalog_ml.recs_sources)."""

from __future__ import annotations

import shutil

import pytest
import yaml

from catalog_ml.recs_sources import COLUMNS, REPO, START, main, project_sources, sync, updated


def test_the_repository_is_in_sync_with_its_source_list():
    assert sync(REPO, check=True) == []


@pytest.fixture
def copy(tmp_path):
    shutil.copy(REPO / "dbt_project.yml", tmp_path / "dbt_project.yml")
    for relative in COLUMNS:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / relative, tmp_path / relative)
    return tmp_path


def columns(path):
    (model,) = yaml.safe_load(path.read_text())["models"]
    return {column["name"]: column["description"] for column in model["columns"]}


def test_a_new_source_gets_its_columns_and_a_removed_one_loses_them(copy, capsys):
    settings = copy / "dbt_project.yml"
    sources = project_sources(copy)
    listed = f"[{', '.join(sources)}]"
    assert listed in settings.read_text()
    settings.write_text(settings.read_text().replace(listed, f"[{', '.join(sources[1:])}, toy]"))
    assert main(["--repo", str(copy), "--check"]) == 1
    assert "make sources" in capsys.readouterr().err
    assert sorted(sync(copy)) == sorted(COLUMNS)
    features = columns(copy / "models/intermediate/recommendations/int_recs_ranker_features.yml")
    assert features["toy_rank"] == (
        "Feature: toy rank (recs_candidates_per_source + 1 when not retrieved by toy)."
    )
    assert features["toy_relative_score"] == (
        "Feature: toy score / the user's best toy score among its candidates"
        " (0 when not retrieved by toy)."
    )
    assert f"{sources[0]}_rank" not in features
    # the other columns are kept, in place
    assert {"cutoff_name", "source_count", "item_price"} <= set(features)
    candidates = columns(
        copy / "models/intermediate/recommendations/int_recs_ranker_candidates.yml"
    )
    assert candidates["toy_score"] == "toy source score (null when not retrieved by it)."
    assert sync(copy, check=True) == []


def test_a_file_without_its_markers_is_an_error():
    with pytest.raises(ValueError, match=r"int_x\.yml: expected one block"):
        updated("models:\n- name: int_x\n", "int_x.yml", [], ["a"])
    with pytest.raises(ValueError, match="expected one block"):
        updated(START + START, "int_x.yml", [], ["a"])
