"""Labelled product-matching data in the Magellan / DeepMatcher layout (tableA.csv,
tableB.csv, train.csv, valid.csv, test.csv), the layout of the public benchmarks, mapped to
the raw data contract: tableA is the catalog (products), tableB the offers (merchant
'tableB'), the labels match_labels (offer = rtable_id, product = ltable_id); the other raw
tables are header-only. Attributes map through ALIASES, the others are appended to the
description with their column name; prices are cleaned (unparseable ones left empty and
counted). Bad data raises BenchDataError naming the file, the line and the value.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from catalog_ml.contract import CONTRACT_PATH, load_contract

REPO = Path(__file__).resolve().parents[2]
SPLITS = ("train", "valid", "test")
LISTING_FILES = {"products": "tableA.csv", "offers": "tableB.csv"}
MERCHANT_ID = "tableB"
# Contract column <- data-set attribute names, first present wins (names are compared
# lower-case). Attributes named in no alias go to the description as "name: value".
ALIASES = {
    "title": ("title", "name"),
    "brand": ("brand", "manufacturer"),
    "model_number": ("modelno", "model_number"),
    "description": ("description",),
    "category": ("category",),
    "price": ("price",),
}
LABEL_VALUES = {"0": 0, "1": 1, "0.0": 0, "1.0": 1, "false": 0, "true": 1}
# A price: digits with optional thousands commas and decimals, optionally after a dollar
# sign; whitespace anywhere is ignored (" $ 1,299.99 " -> 1299.99).
PRICE = re.compile(r"^\$?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?$")


class BenchDataError(ValueError):
    """The folder cannot be mapped to the raw data contract; the message says where and why."""


@dataclass
class Mapped:
    """The folder mapped to raw tables (rows of text, contract column names)."""

    products: list[dict[str, str]]
    offers: list[dict[str, str]]
    labels: list[dict[str, str]]
    unparseable_prices: dict[str, list[str]] = field(default_factory=dict)
    described_columns: dict[str, list[str]] = field(default_factory=dict)
    duplicate_label_rows: int = 0


def clean_price(text: str | None) -> str | None:
    """A price as a plain decimal string, "" for no price, None when it cannot be read."""
    compact = re.sub(r"\s+", "", text or "")
    if not compact:
        return ""
    match = PRICE.match(compact)
    if match is None:
        return None
    return match.group(1).replace(",", "") + (match.group(2) or "")


def read_csv(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """A CSV's lower-cased header and its rows as text, each with its line number."""
    if not path.is_file():
        raise BenchDataError(f"{path}: file not found")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise BenchDataError(
            f"{path}: not UTF-8 (byte 0x{data[error.start]:02x} on line {line}); convert it"
            f" first, e.g. iconv -f latin1 -t utf-8 {path.name} > utf8/{path.name}"
        ) from None
    csv.field_size_limit(sys.maxsize)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in next(reader, [])]
    if not header:
        raise BenchDataError(f"{path}: empty file, expected a header row")
    if len(set(header)) < len(header):
        raise BenchDataError(f"{path}: repeated column names in the header {header}")
    rows = []
    for values in reader:
        if not values:
            continue
        if len(values) != len(header):
            raise BenchDataError(
                f"{path}, line {reader.line_num}: {len(values)} values for {len(header)} columns"
            )
        rows.append((reader.line_num, dict(zip(header, values, strict=True))))
    return header, rows


def require(path: Path, header: list[str], columns: Sequence[str]) -> None:
    missing = [column for column in columns if column not in header]
    if missing:
        raise BenchDataError(f"{path}: no column {', '.join(missing)} (columns: {header})")


def map_listing(path: Path, id_column: str) -> tuple[list[dict[str, str]], list[str], list[str]]:
    """Rows of tableA or tableB in contract columns, the unparseable prices, and the
    attributes appended to the description."""
    header, rows = read_csv(path)
    require(path, header, ["id"])
    source = {}
    for target, names in ALIASES.items():
        present = [name for name in names if name in header]
        if present:
            source[target] = present[0]
    if "title" not in source:
        raise BenchDataError(
            f"{path}: no title column (one of {', '.join(ALIASES['title'])}; columns: {header})"
        )
    extra = [name for name in header if name != "id" and name not in source.values()]
    mapped, unparseable, seen = [], [], {}
    for line, row in rows:
        listing_id = row["id"].strip()
        if not listing_id:
            raise BenchDataError(f"{path}, line {line}: empty id")
        if listing_id in seen:
            raise BenchDataError(
                f"{path}, line {line}: id '{listing_id}' repeats line {seen[listing_id]}"
            )
        seen[listing_id] = line
        out = {id_column: listing_id}
        for target, name in source.items():
            out[target] = row[name].strip()
        price = clean_price(out.get("price"))
        if price is None:
            unparseable.append(out["price"])
            price = ""
        out["price"] = price
        described = [f"{name}: {row[name].strip()}" for name in extra if row[name].strip()]
        out["description"] = "; ".join(filter(None, [out.get("description", ""), *described]))
        mapped.append(out)
    return mapped, unparseable, extra


def map_labels(
    folder: Path, product_ids: set[str], offer_ids: set[str]
) -> tuple[list[dict[str, str]], int]:
    """match_labels rows from train/valid/test.csv, and how many exact repeats were dropped.
    A pair in two splits, or twice in one split with different labels, is an error; so is
    an id missing from its table."""
    first: dict[tuple[str, str], tuple[str, int, int]] = {}
    labels, repeats = [], 0
    for split in SPLITS:
        path = folder / f"{split}.csv"
        header, rows = read_csv(path)
        require(path, header, ["ltable_id", "rtable_id", "label"])
        for line, row in rows:
            product_id, offer_id = row["ltable_id"].strip(), row["rtable_id"].strip()
            label = LABEL_VALUES.get(row["label"].strip().lower())
            if label is None:
                raise BenchDataError(f"{path}, line {line}: label '{row['label']}' is not 0 or 1")
            if product_id not in product_ids:
                raise BenchDataError(
                    f"{path}, line {line}: ltable_id '{product_id}' is not an id in tableA.csv"
                )
            if offer_id not in offer_ids:
                raise BenchDataError(
                    f"{path}, line {line}: rtable_id '{offer_id}' is not an id in tableB.csv"
                )
            pair = (product_id, offer_id)
            if pair in first:
                first_split, first_line, first_label = first[pair]
                where = f"{first_split}.csv line {first_line} and {split}.csv line {line}"
                if first_split != split:
                    raise BenchDataError(
                        f"pair ltable_id '{product_id}', rtable_id '{offer_id}' is labelled in"
                        f" two splits: {where}"
                    )
                if first_label != label:
                    raise BenchDataError(
                        f"pair ltable_id '{product_id}', rtable_id '{offer_id}' has two"
                        f" labels: {where}"
                    )
                repeats += 1
                continue
            first[pair] = (split, line, label)
            labels.append(
                {
                    "offer_id": offer_id,
                    "product_id": product_id,
                    "is_match": str(label),
                    "split": split,
                }
            )
    return labels, repeats


def map_folder(folder: Path) -> Mapped:
    """Read and check a Magellan folder; nothing is written."""
    products, product_prices, product_extra = map_listing(
        folder / LISTING_FILES["products"], "product_id"
    )
    offers, offer_prices, offer_extra = map_listing(folder / LISTING_FILES["offers"], "offer_id")
    for offer in offers:
        offer["merchant_id"] = MERCHANT_ID
    labels, repeats = map_labels(
        folder, {p["product_id"] for p in products}, {o["offer_id"] for o in offers}
    )
    return Mapped(
        products=products,
        offers=offers,
        labels=labels,
        unparseable_prices={"products": product_prices, "offers": offer_prices},
        described_columns={"products": product_extra, "offers": offer_extra},
        duplicate_label_rows=repeats,
    )


def write_raw_folder(mapped: Mapped, out: Path, project_dir: Path = REPO) -> None:
    """One CSV per raw table of the contract; tables the data set lacks are header-only.
    loaded_at is left out: the loader metadata is unknown here (freshness reads 'unknown')."""
    out.mkdir(parents=True, exist_ok=True)
    rows = {"products": mapped.products, "offers": mapped.offers, "match_labels": mapped.labels}
    for name, table in load_contract(project_dir / CONTRACT_PATH).items():
        columns = [column for column in table.column_names if column != "loaded_at"]
        with open(out / f"{name}.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, restval="", lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows.get(name, []))
