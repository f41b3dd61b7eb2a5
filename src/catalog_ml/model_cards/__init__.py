"""Model cards from the warehouse: `python -m catalog_ml.model_cards WAREHOUSE --out DIR`.

One card per model whose registry (mon_model_registry) has a champion, as Markdown (the
source) and HTML (rendered from it), plus an index listing the cards and the models that
have no champion, with the reason. A card holds: intended use and known limits (prose kept
in the trainer's YAML, `config.meta.model_card`, read from dbt's manifest.json so it sits
next to the model in dbt docs), the training data window and size, the features with their
YAML descriptions, holdout metrics overall and by segment (eval_* models), the drift
baseline (reference quantiles, current PSI and status from mon_feature_drift*) and the
version history with promotions.

One module per job:
- `specs`: what each model's card reads (MODEL_SPECS), the sections, CardData;
- `read`: `load_card_data` reads the warehouse (SQL only there) and the dbt manifest;
- `figures`: the champion, why there is none, the version history;
- `markdown`, `html_page`: the card and index as Markdown, and as HTML rendered from it;
- `cli`: writing the files and the command line (`__main__` runs it).
Everything after `load_card_data` is pure: it takes DataFrames and returns text, so tests
check the cards without building anything. A table that is missing from the warehouse
leaves its section saying so; it never fails.
"""

from catalog_ml.model_cards.cli import main, write_cards
from catalog_ml.model_cards.figures import champion, no_champion_reason, version_history
from catalog_ml.model_cards.html_page import to_html
from catalog_ml.model_cards.markdown import (
    fmt,
    key_value_table,
    markdown_table,
    render_card,
    render_index,
)
from catalog_ml.model_cards.read import feature_descriptions, load_card_data, model_card_meta
from catalog_ml.model_cards.specs import MODEL_SPECS, SECTIONS, CardData, ModelSpec, Query

__all__ = [
    "MODEL_SPECS",
    "SECTIONS",
    "CardData",
    "ModelSpec",
    "Query",
    "champion",
    "feature_descriptions",
    "fmt",
    "key_value_table",
    "load_card_data",
    "main",
    "markdown_table",
    "model_card_meta",
    "no_champion_reason",
    "render_card",
    "render_index",
    "to_html",
    "version_history",
    "write_cards",
]
