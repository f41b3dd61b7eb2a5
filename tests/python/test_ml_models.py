"""The model descriptor (macro ml_models) and the Python side agree: every declared model has
a card spec with the same trainer, and the trainers' MODEL_NAME are the declared names."""

from __future__ import annotations

import re

from project_yaml import REPO

from catalog_ml import matching, ranking
from catalog_ml.model_cards.specs import MODEL_SPECS

ENTRY = re.compile(r"\{'model_name': '(\w+)', 'trainer': '(\w+)'")


def declared() -> dict[str, str]:
    text = (REPO / "macros" / "monitoring" / "monitoring_helpers.sql").read_text()
    body = text[text.index("{% macro ml_models() %}") :]
    body = body[: body.index("{% endmacro %}")]
    return dict(ENTRY.findall(body))


def test_every_declared_model_has_a_card_spec_with_its_trainer():
    models = declared()
    assert len(models) >= 2, "the descriptor's entries were not found"
    assert {name: spec.trainer for name, spec in MODEL_SPECS.items()} == models


def test_the_trainers_write_the_declared_model_names():
    assert {matching.MODEL_NAME, ranking.MODEL_NAME} == set(declared())
