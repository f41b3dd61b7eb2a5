"""Model cards from the warehouse: `python -m catalog_ml.model_cards WAREHOUSE --out DIR`.

Writing the card files (Markdown and HTML, and the index) and the command line.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path

from catalog_ml.model_cards.figures import champion, no_champion_reason
from catalog_ml.model_cards.html_page import to_html
from catalog_ml.model_cards.markdown import render_card, render_index
from catalog_ml.model_cards.read import load_card_data
from catalog_ml.model_cards.specs import CardData
from catalog_ml.warehouse import connect


def write_cards(cards: Iterable[tuple[str, CardData]], out_dir: Path) -> list[Path]:
    """Write <model>.md/.html per champion and index.md/.html; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written, entries = [], []
    for name, data in cards:
        champ = champion(data.versions)
        entries.append((name, champ, no_champion_reason(data.versions)))
        for stale in (out_dir / f"{name}.md", out_dir / f"{name}.html"):
            stale.unlink(missing_ok=True)  # a model that lost its champion loses its card
        if champ is None:
            continue
        markdown_text = render_card(data)
        written += _write(out_dir, name, markdown_text, f"Model card: {name}")
    written += _write(out_dir, "index", render_index(entries), "Model cards")
    return written


def _write(out_dir: Path, stem: str, markdown_text: str, title: str) -> list[Path]:
    md, page = out_dir / f"{stem}.md", out_dir / f"{stem}.html"
    md.write_text(markdown_text, encoding="utf-8")
    page.write_text(to_html(markdown_text, title), encoding="utf-8")
    return [md, page]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m catalog_ml.model_cards", description=__doc__.split("\n")[0]
    )
    parser.add_argument("warehouse", help="path to the DuckDB warehouse file")
    parser.add_argument(
        "--out", default="target/model_cards", help="output folder (default: %(default)s)"
    )
    parser.add_argument(
        "--manifest",
        default="target/manifest.json",
        help="dbt manifest with the trainers' model_card meta (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    path = Path(args.warehouse).resolve()
    if not path.exists():
        print(f"no warehouse at {path}: run `make demo` first", file=sys.stderr)
        return 1
    manifest_path = Path(args.manifest)
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else None
    if manifest is None:
        print(
            f"warning: no manifest at {manifest_path}: intended use and limits left out",
            file=sys.stderr,
        )
    with connect(path) as con:
        try:
            cards = load_card_data(con, manifest)
        except LookupError as error:
            print(error, file=sys.stderr)
            return 1
    for written in write_cards(cards, Path(args.out)):
        print(written)
    return 0
