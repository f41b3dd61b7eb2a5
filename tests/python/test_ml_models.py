"""The model descriptor (macro ml_models) and the Python side agree: every declared model has
a card spec with the same trainer, and each declared trainer is a Python model that calls
train_and_register of the module whose MODEL_NAME is the declared name (so its rows go
through registry.register)."""

from __future__ import annotations

import re

from project_yaml import REPO

from catalog_ml import matching, metadata, ranking
from catalog_ml.model_cards.specs import MODEL_SPECS

ENTRY = re.compile(r"\{'model_name': '(\w+)', 'trainer': '(\w+)'")
TRAINING_MODULES = {module.MODEL_NAME: module for module in (matching, ranking, metadata)}


def declared() -> dict[str, str]:
    text = (REPO / "macros" / "monitoring" / "monitoring_helpers.sql").read_text()
    body = text[text.index("{% macro ml_models() %}") :]
    body = body[: body.index("{% endmacro %}")]
    return dict(ENTRY.findall(body))


def test_every_declared_model_has_a_card_spec_with_its_trainer():
    models = declared()
    assert len(models) >= 3, "the descriptor's entries were not found"
    assert {name: spec.trainer for name, spec in MODEL_SPECS.items()} == models


def test_each_declared_trainer_trains_the_declared_model():
    models = declared()
    assert set(TRAINING_MODULES) == set(models)
    for model_name, trainer in models.items():
        (path,) = (REPO / "python_models").glob(f"*/{trainer}.py")
        module = TRAINING_MODULES[model_name].__name__
        assert f"from {module} import train_and_register" in path.read_text(), trainer
