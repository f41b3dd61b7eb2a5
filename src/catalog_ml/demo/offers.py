"""Merchant offers: noisy variants of catalog titles, look-alikes and accessories that match
nothing, and the reviewed labels and overrides on them.

The offers carry what real merchant listings do (public product-matching benchmarks): many
merchants send no brand column (the brand is the title's first words), the model code is
in the title only and written several ways (hyphen dropped or turned into a space, lower
case, a region or colour suffix), near-variants of a product differ by one letter or number,
accessories name the product they fit, descriptions vary in length (some carry the code the
title lacks), GTINs are rare and some prices are missing."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .catalog import TAXONOMY, catalog, gtin13, make_listings
from .common import DEMO_END, rng_for, timestamps

N_MERCHANTS = 25
MATCHED_SHARE = 0.85
# Offers that are accessories of a catalog product (they name it, but match nothing).
ACCESSORY_SHARE = 0.06
ACCESSORIES = [
    "Protective Case for",
    "Replacement Battery for",
    "Charger for",
    "Screen Protector for",
    "Remote Control for",
    "Carrying Bag for",
]
CODE_SUFFIXES = ["/B", "-BLK", "#ABA", "/XC", "-R"]
# Shares of offers with a GTIN (of matched ones), a model_number column, no price.
OFFER_GTIN_SHARE = 0.25
OFFER_MODEL_NUMBER_SHARE = 0.15
MISSING_PRICE_SHARE = 0.1
# Share of merchants that send no brand column at all.
NO_BRAND_MERCHANT_SHARE = 0.3
# var demo_price_shift multiplies the prices of offers ingested in these last days of the
# ingestion range (the latest week; drift monitors compare that window with training).
PRICE_SHIFT_DAYS = 7
ABBREVIATIONS = {
    "Wireless": "Wrls",
    "Black": "Blk",
    "Bluetooth": "BT",
    "Noise": "N.",
    "Cancelling": "Canc.",
    "Silver": "Slvr",
    "Portable": "Port.",
    "Professional": "Pro",
    "Waterproof": "WP",
    "Cordless": "Cdls",
    "Brushless": "BL",
    "Programmable": "Prog.",
    "Compact": "Cmpct",
}
UNIT_VARIANTS = {
    "1TB": "1000GB",
    "2TB": "2000GB",
    "4TB": "4000GB",
    "13.3 in": '13.3"',
    "14 in": '14"',
    "15.6 in": '15.6"',
    "17.3 in": '17.3"',
    "24 in": '24"',
    "27 in": '27"',
    "32 in": '32"',
    "1.5 L": "1.5L",
    "2 L": "2L",
    "4 L": "4L",
    "5.5 L": "5.5L",
    "500GB": "0.5TB",
}
MARKETING = [
    "NEW",
    "Free Shipping",
    "2024 Model",
    "Best Deal",
    "Hot Sale",
    "Fast Delivery",
    "Genuine",
]
BRAND_ALIASES = {
    "HP": "Hewlett-Packard",
    "Sony": "Sony Corp.",
    "Apple": "Apple Inc.",
    "Samsung": "Samsung Electronics",
    "LG": "LG Electronics",
    "Bosch": "Robert Bosch",
    "Philips": "Philips Lighting",
    "Canon": "Canon Inc.",
    "Lenovo": "Lenovo Group",
    "Dell": "Dell Technologies",
    "Logitech": "Logitech International",
}


@dataclass(frozen=True)
class Offers:
    offer_id: np.ndarray
    merchant_id: np.ndarray
    title: np.ndarray
    brand: np.ndarray
    category: np.ndarray
    price: np.ndarray
    currency: np.ndarray
    gtin: np.ndarray
    model_number: np.ndarray
    ingested_at: np.ndarray
    true_product: np.ndarray  # catalog row index, -1 when the offer matches no product
    listing_category: np.ndarray  # taxonomy index of what the offer really is
    listing_brand: np.ndarray
    accessory_of: np.ndarray  # catalog row index the accessory names, -1 for other offers
    description: np.ndarray


def typo(word: str, rng: np.random.Generator) -> str:
    if len(word) < 5:
        return word
    i = int(rng.integers(1, len(word) - 1))
    kind = rng.integers(0, 3)
    if kind == 0:  # swap
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    if kind == 1:  # drop
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]  # double


def code_spelling(code: str, rng: np.random.Generator) -> str:
    """A model code as a merchant writes it: as is, without its hyphen, with a space for the
    hyphen, in lower case, sometimes with a region or colour suffix."""
    roll = rng.random()
    if roll < 0.25:
        code = code.replace("-", "")
    elif roll < 0.4:
        code = code.replace("-", " ")
    elif roll < 0.5:
        code = code.lower()
    if rng.random() < 0.1:
        code += CODE_SUFFIXES[int(rng.integers(0, len(CODE_SUFFIXES)))]
    return code


def noisy_title(
    title: str, brand: str, model: str, style: np.ndarray, rng: np.random.Generator
) -> tuple[str, bool]:
    """A merchant's rewrite of a title; returns it and whether the brand was left out."""
    for unit, variant in UNIT_VARIANTS.items():
        if unit in title and rng.random() < style[0]:
            title = title.replace(unit, variant)
    words = title.split(" ")
    out, dropped_brand = [], False
    for w in words:
        if w == brand and rng.random() < style[1]:
            dropped_brand = True
            continue
        if w == model:
            if rng.random() < 0.08:  # model number left out
                continue
            w = code_spelling(w, rng)
        elif w in ABBREVIATIONS and rng.random() < style[2]:
            w = ABBREVIATIONS[w]
        elif rng.random() < style[3]:
            continue  # dropped token
        elif rng.random() < style[4]:
            w = typo(w, rng)
        out.append(w)
    if not out:  # every token dropped (about 1 in 300,000): a merchant sends some title
        out = words
    if rng.random() < style[5] and len(out) > 3:  # reorder: move a token to the end
        out.append(out.pop(int(rng.integers(1, len(out) - 1))))
    if rng.random() < style[6]:
        marketing = MARKETING[int(rng.integers(0, len(MARKETING)))]
        out = [marketing, *out] if rng.random() < 0.5 else [*out, "-", marketing]
    text = " ".join(out)
    return (text.upper() if rng.random() < style[7] else text), dropped_brand


@lru_cache(maxsize=4)
def offers(seed: int, scale: float, price_shift: float = 1.0) -> Offers:
    """Merchant offers; `price_shift` != 1 multiplies the prices of the offers ingested in the
    last PRICE_SHIFT_DAYS days (a planted price drift; every other column is unchanged)."""
    cat = catalog(seed, scale)
    n = max(600, round(30_000 * scale))
    rng = rng_for(seed, "offers")
    styles = rng_for(seed, "merchant_styles").uniform(
        [0.2, 0.1, 0.1, 0.02, 0.01, 0.1, 0.1, 0.0],
        [0.7, 0.5, 0.6, 0.15, 0.08, 0.5, 0.6, 0.15],
        (N_MERCHANTS, 8),
    )
    no_brand_merchant = (
        rng_for(seed, "merchant_brands").random(N_MERCHANTS) < NO_BRAND_MERCHANT_SHARE
    )
    merchant = rng.integers(0, N_MERCHANTS, n)
    matched = rng.random(n) < MATCHED_SHARE
    weights = 0.6 * cat.popularity**0.6 / (cat.popularity**0.6).sum() + 0.4 / len(cat.popularity)
    drawn = rng.choice(len(cat.popularity), n, p=weights / weights.sum())
    accessory = ~matched & (rng.random(n) < ACCESSORY_SHARE / (1 - MATCHED_SHARE))
    true_product = np.where(matched, drawn, -1)
    accessory_of = np.where(accessory, drawn, -1)
    lookalikes = make_listings(rng, n, 37)
    named = np.where(matched | accessory, drawn, 0)
    from_catalog = matched | accessory
    base_title = np.where(from_catalog, cat.title[named], lookalikes["title"])
    base_brand = np.where(from_catalog, cat.brand[named], lookalikes["brand"])
    base_model = np.where(from_catalog, cat.model_number[named], lookalikes["model_number"])
    base_cat = np.where(from_catalog, cat.category[named], lookalikes["category"])
    base_price = np.where(from_catalog, cat.price[named], lookalikes["price"])
    base_price = np.where(
        accessory, np.round(base_price * rng.uniform(0.05, 0.15, n), 2), base_price
    )

    title = np.empty(n, dtype=object)
    brand = np.empty(n, dtype=object)
    category = np.empty(n, dtype=object)
    description = np.empty(n, dtype=object)
    for i in range(n):
        style = styles[merchant[i]]
        title[i], dropped = noisy_title(base_title[i], base_brand[i], base_model[i], style, rng)
        noun = TAXONOMY[base_cat[i]][1]
        if accessory[i]:
            kind = ACCESSORIES[int(rng.integers(0, len(ACCESSORIES)))]
            code = code_spelling(base_model[i], rng)
            title[i] = f"{kind} {base_brand[i]} {code} {noun}"
        roll = rng.random()
        if no_brand_merchant[merchant[i]] or roll < 0.25 or (dropped and roll < 0.5):
            brand[i] = ""
        elif roll < 0.4:
            brand[i] = BRAND_ALIASES.get(base_brand[i], base_brand[i].upper())
        else:
            brand[i] = base_brand[i] if rng.random() < 0.8 else base_brand[i].lower()
        path = TAXONOMY[base_cat[i]][0]
        roll = rng.random()
        category[i] = "" if roll < 0.45 else (path.split(" > ")[-1] if roll < 0.75 else path)
        roll = rng.random()
        if roll < 0.15:  # a description that carries the code
            description[i] = f"{base_brand[i]} {noun}, model {code_spelling(base_model[i], rng)}."
        elif roll < 0.35:
            description[i] = f"{base_title[i]}. {MARKETING[int(rng.integers(0, len(MARKETING)))]}."
        else:
            description[i] = ""

    price_factor = rng.uniform(0.8, 1.2, n)
    euro = rng.random(n) < 0.05
    price = np.round(base_price * price_factor * np.where(euro, 0.92, 1.0), 2)
    is_m = true_product >= 0
    gtin = np.full(n, "", dtype=object)
    cat_gtin = cat.gtin[np.maximum(true_product, 0)]
    show = is_m & (rng.random(n) < OFFER_GTIN_SHARE) & (cat_gtin != "")
    gtin[show] = cat_gtin[show]
    wrong = show & (rng.random(n) < 0.05)
    other = cat.gtin[rng.integers(0, len(cat.gtin), n)]
    bad_check = np.array([g[:-1] + str((int(g[-1]) + 1) % 10) if g else g for g in cat_gtin])
    gtin[wrong] = np.where(rng.random(wrong.sum()) < 0.5, other[wrong], bad_check[wrong])
    unmatched_gtin = ~is_m & ~accessory & (rng.random(n) < 0.3)
    gtin[unmatched_gtin] = gtin13(rng.integers(10**11, 10**12 - 1, unmatched_gtin.sum()))
    model_col = np.where(rng.random(n) < OFFER_MODEL_NUMBER_SHARE, base_model, "")
    last_ingest = DEMO_END - np.timedelta64(1, "D")
    ingested = timestamps(rng, n, DEMO_END - np.timedelta64(60, "D"), last_ingest)
    shifted = ingested >= last_ingest - np.timedelta64(PRICE_SHIFT_DAYS, "D")
    price = np.where(shifted, np.round(price * price_shift, 2), price)
    price = np.where(rng.random(n) < MISSING_PRICE_SHARE, np.nan, price)
    return Offers(
        offer_id=np.array([f"O{i:07d}" for i in range(1, n + 1)]),
        merchant_id=np.array([f"M{m + 1:03d}" for m in merchant]),
        title=title,
        brand=brand,
        category=category,
        price=price,
        currency=np.where(euro, "EUR", "USD"),
        gtin=gtin,
        model_number=model_col,
        ingested_at=ingested,
        true_product=true_product,
        listing_category=base_cat,
        listing_brand=base_brand,
        accessory_of=accessory_of,
        description=description,
    )


def labels(seed: int, scale: float) -> dict[str, np.ndarray]:
    """Reviewed pairs for ~15% of offers: the true pair and 1-2 hard negatives (same
    category and brand, near-variants of the true product first; for an accessory, the
    product it names), split train/valid/test by offer."""
    cat, off = catalog(seed, scale), offers(seed, scale)
    rng = rng_for(seed, "labels")
    n = len(off.offer_id)
    chosen = np.flatnonzero(rng.random(n) < 0.15)
    split = rng.choice(["train", "valid", "test"], len(chosen), p=[0.6, 0.2, 0.2])
    split = np.where((split == "train") & (rng.random(len(chosen)) < 0.05), "", split)
    by_key: dict[tuple[int, str], np.ndarray] = {}
    for c in range(len(TAXONOMY)):
        in_cat = cat.category == c
        for b in np.unique(cat.brand[in_cat]):
            by_key[(c, b)] = np.flatnonzero(in_cat & (cat.brand == b))
    offer_ids, product_ids, is_match, splits = [], [], [], []
    for k, i in enumerate(chosen):
        truth = off.true_product[i]
        pool = by_key.get((off.listing_category[i], off.listing_brand[i]), np.array([], dtype=int))
        pool = pool[pool != truth]
        if truth >= 0 and rng.random() < 0.7:  # reviewers see the near-variants first
            family = cat.model_number[truth][:-2]
            variants = pool[[cat.model_number[p].startswith(family) for p in pool]]
            pool = variants if len(variants) else pool
        negatives = (
            rng.choice(pool, min(len(pool), int(rng.integers(1, 3))), replace=False)
            if len(pool)
            else []
        )
        if off.accessory_of[i] >= 0:
            negatives = [off.accessory_of[i], *[p for p in negatives if p != off.accessory_of[i]]]
        pairs = ([(truth, "1")] if truth >= 0 else []) + [(p, "0") for p in negatives]
        for product, label in pairs:
            offer_ids.append(off.offer_id[i])
            product_ids.append(cat.product_id[product])
            is_match.append(label)
            splits.append(split[k])
    m = len(offer_ids)
    labeled = timestamps(
        rng, m, DEMO_END - np.timedelta64(50, "D"), DEMO_END - np.timedelta64(1, "D")
    )
    return {
        "offer_id": offer_ids,
        "product_id": product_ids,
        "is_match": is_match,
        "split": splits,
        "labeled_at": labeled,
    }


def overrides(seed: int, scale: float) -> dict[str, np.ndarray]:
    """Reviewer decisions on ~1% of offers: the true product, or 'matches nothing'."""
    cat, off = catalog(seed, scale), offers(seed, scale)
    rng = rng_for(seed, "overrides")
    chosen = np.flatnonzero(rng.random(len(off.offer_id)) < 0.01)
    truth = off.true_product[chosen]
    reviewers = np.array(["alice", "bikram", "chen", "dana", "emeka"])
    return {
        "offer_id": off.offer_id[chosen],
        "product_id": np.where(truth >= 0, cat.product_id[np.maximum(truth, 0)], ""),
        "reviewer": reviewers[rng.integers(0, len(reviewers), len(chosen))],
        "reason": np.where(
            truth >= 0, "Same product, confirmed by GTIN and photos", "Not in our catalog"
        ),
        "created_at": timestamps(
            rng, len(chosen), DEMO_END - np.timedelta64(30, "D"), DEMO_END - np.timedelta64(1, "D")
        ),
    }
