"""The static dbt docs page with the model cards: `python -m catalog_ml.docs` (`make docs`).

Run after `dbt docs generate` (which writes target/manifest.json and target/catalog.json
from the built warehouse). Writes one self-contained page, target/docs/index.html, the way
`dbt docs generate --static` writes target/static_index.html (dbt's docs page with the two
JSON files inlined: opened from disk, the plain index.html stays at "loading" because the
browser blocks its JSON requests), with one change to the inlined manifest: each trainer's
description gets its model card as Markdown (dbt docs renders Markdown), instead of the
card's prose showing as one raw JSON line under meta.

The card is the one catalog_ml.model_cards writes (intended use and known limits from the
trainer's `config.meta.model_card`, figures from the warehouse); without a warehouse, or
for a model without a champion, only the prose and the reason. The YAML stays the one
place the prose is written.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from catalog_ml.model_cards.figures import champion, no_champion_reason
from catalog_ml.model_cards.markdown import render_card
from catalog_ml.model_cards.read import load_card_data
from catalog_ml.model_cards.specs import MODEL_SPECS
from catalog_ml.report.page import write_page
from catalog_ml.warehouse import connect

MANIFEST_PLACEHOLDER = '"MANIFEST.JSON INLINE DATA"'
CATALOG_PLACEHOLDER = '"CATALOG.JSON INLINE DATA"'
CARD_META_KEY = "model_card"
# Where the docs page links to, relative to target/docs/index.html.
CARDS_LINK = "../model_cards/index.html"
REPORT_LINK = "../report/index.html"


def docs_template() -> str:
    """dbt's docs page with the two inline-data placeholders (what --static fills)."""
    from dbt.task.docs import DOCS_INDEX_FILE_PATH

    return Path(DOCS_INDEX_FILE_PATH).read_text(encoding="utf-8")


def demote_headings(markdown_text: str, levels: int = 2) -> str:
    """Headings `levels` deeper (# -> ###), so a card sits under the model's own title."""
    return re.sub(
        r"^(#{1,6}) ", lambda m: "#" * min(6, len(m[1]) + levels) + " ", markdown_text, flags=re.M
    )


def prose_card(meta: Mapping[str, Any], reason: str) -> str:
    """The card's prose only (no warehouse figures), with why the figures are missing."""
    lines = ["# Model card", "", f"_{reason}_", "", "## Intended use", ""]
    lines += [str(meta.get("intended_use") or "not given").strip(), "", "## Known limits", ""]
    lines += [f"- {str(limit).strip()}" for limit in meta.get("known_limits") or []]
    return "\n".join(lines) + "\n"


def card_markdown(manifest: Mapping[str, Any], warehouse: Path | None) -> dict[str, str]:
    """Markdown card per trainer model name (ml_matcher_train, ...)."""
    cards: dict[str, str] = {}
    loaded: dict[str, Any] = {}
    if warehouse is not None and warehouse.exists():
        with connect(warehouse, read_only=True) as con:
            try:
                loaded = dict(load_card_data(con, manifest))
            except LookupError as error:
                print(f"docs: model cards without figures: {error}", file=sys.stderr)
    for name, spec in MODEL_SPECS.items():
        data = loaded.get(name)
        if data is not None and champion(data.versions) is not None:
            cards[spec.trainer] = render_card(data)
            continue
        reason = (
            no_champion_reason(data.versions)
            if data is not None
            else "no warehouse was given: the figures are left out"
        )
        meta = _node(manifest, spec.trainer)
        card_meta = ((meta or {}).get("config") or {}).get("meta", {}).get(CARD_META_KEY)
        cards[spec.trainer] = prose_card(
            card_meta if isinstance(card_meta, Mapping) else {}, reason
        )
    return cards


def _node(manifest: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    return next(
        (
            node
            for node in manifest.get("nodes", {}).values()
            if node.get("resource_type") == "model" and node.get("name") == name
        ),
        None,
    )


def with_cards(manifest: dict[str, Any], cards: Mapping[str, str]) -> dict[str, Any]:
    """The manifest with each card appended to its trainer's description, and the card's
    meta (the raw prose) replaced by a pointer to it. The input is left unchanged."""
    manifest = json.loads(json.dumps(manifest))
    for trainer, markdown_text in cards.items():
        node = _node(manifest, trainer)
        if node is None:
            continue
        links = (
            f"Every card: [model cards]({CARDS_LINK}) (`make cards`); "
            f"figures: [report]({REPORT_LINK}) (`make report`)."
        )
        node["description"] = "\n\n".join(
            [node.get("description") or "", demote_headings(markdown_text), links]
        )
        for holder in (node.get("config", {}).get("meta"), node.get("meta")):
            if isinstance(holder, dict) and CARD_META_KEY in holder:
                holder[CARD_META_KEY] = "see the description"
    return manifest


def static_page(template: str, manifest: Mapping[str, Any], catalog_text: str) -> str:
    """dbt's docs page with the manifest and catalog inlined (as --static does)."""
    if MANIFEST_PLACEHOLDER not in template or CATALOG_PLACEHOLDER not in template:
        raise ValueError("dbt's docs page has no inline-data placeholders: dbt changed it")
    # "</" inside a <script> would end it early; "<\/" is the same JSON string
    page = template.replace(MANIFEST_PLACEHOLDER, json.dumps(manifest).replace("</", "<\\/"))
    return page.replace(CATALOG_PLACEHOLDER, catalog_text.replace("</", "<\\/"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m catalog_ml.docs", description=__doc__)
    parser.add_argument("--target", default="target", help="dbt's target folder")
    parser.add_argument("--warehouse", help="the built DuckDB file (for the cards' figures)")
    parser.add_argument("--out", default="target/docs/index.html", help="page to write")
    args = parser.parse_args(argv)
    target = Path(args.target)
    manifest_path, catalog_path = target / "manifest.json", target / "catalog.json"
    for path in (manifest_path, catalog_path):
        if not path.exists():
            print(f"no {path}: run `dbt docs generate` first", file=sys.stderr)
            return 1
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    warehouse = Path(args.warehouse) if args.warehouse else None
    page = static_page(
        docs_template(),
        with_cards(manifest, card_markdown(manifest, warehouse)),
        catalog_path.read_text(encoding="utf-8"),
    )
    write_page(args.out, page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
