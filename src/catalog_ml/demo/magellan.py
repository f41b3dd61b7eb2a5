"""The demo's catalog, offers and labels in the Magellan/DeepMatcher layout, the layout of
public product-matching benchmarks, for `make bench-matching` at any size:

    python -m catalog_ml.demo.magellan FOLDER [--scale 0.75] [--seed 42]

tableA.csv (products: id, title, brand, description, price), tableB.csv (offers: id, title,
brand, modelno, price) and train/valid/test.csv (ltable_id, rtable_id, label; an empty
split is train). Like the public benchmarks it carries no GTIN, category or currency, so
the matcher has codes, numbers and text to go on; scale 0.75 is 7,500 products and 22,500
offers, the size of the largest public benchmark's offer side.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

from . import _valid_columns

SEED = 42


def write(folder: Path, scale: float, seed: int = SEED) -> dict[str, int]:
    """Write the five files into `folder`; returns the rows written per file."""
    folder.mkdir(parents=True, exist_ok=True)
    products = _valid_columns("products", seed, scale)
    offers = _valid_columns("offers", seed, scale)
    labels = _valid_columns("match_labels", seed, scale)
    tables = {
        "tableA.csv": (
            ["id", "title", "brand", "description", "price"],
            zip(
                *(products[c] for c in ["product_id", "title", "brand", "description", "price"]),
                strict=True,
            ),
        ),
        "tableB.csv": (
            ["id", "title", "brand", "modelno", "price"],
            zip(
                *(offers[c] for c in ["offer_id", "title", "brand", "model_number", "price"]),
                strict=True,
            ),
        ),
    }
    split = np.where(np.asarray(labels["split"]) == "", "train", labels["split"])
    for name in ("train", "valid", "test"):
        rows = np.flatnonzero(split == name)
        tables[f"{name}.csv"] = (
            ["ltable_id", "rtable_id", "label"],
            ((labels["product_id"][i], labels["offer_id"][i], labels["is_match"][i]) for i in rows),
        )
    counts = {}
    for name, (header, rows) in tables.items():
        with open(folder / name, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            rows = list(rows)
            writer.writerows(rows)
        counts[name] = len(rows)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--scale", type=float, default=0.75)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    for name, count in write(args.folder, args.scale, args.seed).items():
        print(f"{args.folder / name}: {count} rows")


if __name__ == "__main__":
    main()
