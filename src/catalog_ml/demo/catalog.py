"""The demo catalog: taxonomy, brands, products with long-tail popularity."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .common import DEMO_END, rng_for, timestamps

# (category path, product noun, brands, descriptors, size units, median price)
TAXONOMY: list[tuple[str, str, list[str], list[str], list[str], float]] = [
    (
        "Electronics > Audio > Headphones",
        "Headphones",
        ["Sony", "Bose", "Sennheiser", "JBL", "Audio-Technica"],
        ["Wireless", "Noise Cancelling", "Over-Ear", "Bluetooth"],
        [""],
        180,
    ),
    (
        "Electronics > Audio > Speakers",
        "Speaker",
        ["JBL", "Bose", "Sonos", "Ultimate Ears", "Marshall"],
        ["Portable", "Bluetooth", "Waterproof", "Smart"],
        [""],
        150,
    ),
    (
        "Electronics > Audio > Earbuds",
        "Earbuds",
        ["Apple", "Samsung", "Sony", "Jabra", "Beats"],
        ["True Wireless", "Noise Cancelling", "Sport", "Bluetooth"],
        [""],
        120,
    ),
    (
        "Electronics > Computers > Laptops",
        "Laptop",
        ["Dell", "HP", "Lenovo", "Asus", "Acer"],
        ["Ultrabook", "Gaming", "Business", "Touchscreen"],
        ["13.3 in", "14 in", "15.6 in", "17.3 in"],
        900,
    ),
    (
        "Electronics > Computers > Monitors",
        "Monitor",
        ["Dell", "LG", "Samsung", "Asus", "BenQ"],
        ["4K", "Curved", "IPS", "Gaming"],
        ["24 in", "27 in", "32 in", "34 in"],
        300,
    ),
    (
        "Electronics > Storage > SSDs",
        "SSD",
        ["Samsung", "Western Digital", "Crucial", "Kingston", "Seagate"],
        ["NVMe", "Portable", "Internal", "SATA"],
        ["500GB", "1TB", "2TB", "4TB"],
        110,
    ),
    (
        "Electronics > Storage > Memory Cards",
        "Memory Card",
        ["SanDisk", "Samsung", "Kingston", "Lexar", "PNY"],
        ["microSDXC", "SDXC", "High Speed", "UHS-I"],
        ["64GB", "128GB", "256GB", "512GB"],
        25,
    ),
    (
        "Electronics > Cameras > Mirrorless",
        "Mirrorless Camera",
        ["Canon", "Sony", "Nikon", "Fujifilm", "Panasonic"],
        ["Full Frame", "APS-C", "4K Video", "Body Only"],
        [""],
        1100,
    ),
    (
        "Electronics > Cameras > Action Cameras",
        "Action Camera",
        ["GoPro", "DJI", "Insta360", "Akaso", "Sony"],
        ["Waterproof", "5K", "Stabilized", "Wi-Fi"],
        [""],
        300,
    ),
    (
        "Electronics > Phones > Smartphones",
        "Smartphone",
        ["Apple", "Samsung", "Google", "Motorola", "OnePlus"],
        ["Unlocked", "5G", "Dual SIM", "Refurbished"],
        ["128GB", "256GB", "512GB"],
        700,
    ),
    (
        "Electronics > Phones > Chargers",
        "Charger",
        ["Anker", "Belkin", "Apple", "Samsung", "Ugreen"],
        ["USB-C", "Fast", "Wireless", "GaN"],
        ["20W", "30W", "65W", "100W"],
        30,
    ),
    (
        "Electronics > Tablets > Tablets",
        "Tablet",
        ["Apple", "Samsung", "Lenovo", "Amazon", "Microsoft"],
        ["Wi-Fi", "LTE", "Pro", "Kids"],
        ["64GB", "128GB", "256GB"],
        450,
    ),
    (
        "Electronics > Wearables > Smartwatches",
        "Smartwatch",
        ["Apple", "Garmin", "Samsung", "Fitbit", "Amazfit"],
        ["GPS", "Fitness", "AMOLED", "LTE"],
        ["41mm", "44mm", "45mm"],
        280,
    ),
    (
        "Home > Kitchen > Coffee Makers",
        "Coffee Maker",
        ["Breville", "De'Longhi", "Nespresso", "Keurig", "Philips"],
        ["Espresso", "Drip", "Programmable", "Single Serve"],
        ["1.5 L", "1.8 L", "12 Cup"],
        160,
    ),
    (
        "Home > Kitchen > Blenders",
        "Blender",
        ["Vitamix", "Ninja", "KitchenAid", "Oster", "Breville"],
        ["High Speed", "Personal", "Countertop", "Smart"],
        ["1.4 L", "2 L", "64 oz"],
        130,
    ),
    (
        "Home > Kitchen > Air Fryers",
        "Air Fryer",
        ["Ninja", "Philips", "Cosori", "Instant", "Tefal"],
        ["Digital", "Dual Basket", "XXL", "Compact"],
        ["4 L", "5.5 L", "8 qt"],
        110,
    ),
    (
        "Home > Cleaning > Vacuums",
        "Vacuum",
        ["Dyson", "Shark", "iRobot", "Bissell", "Miele"],
        ["Cordless", "Robot", "Upright", "Bagless"],
        [""],
        350,
    ),
    (
        "Home > Lighting > Smart Bulbs",
        "Smart Bulb",
        ["Philips", "LIFX", "Sengled", "Wyze", "TP-Link"],
        ["Color", "Dimmable", "Wi-Fi", "A19"],
        ["60W", "75W", "800lm"],
        20,
    ),
    (
        "Home > Tools > Drills",
        "Drill Driver",
        ["Bosch", "DeWalt", "Makita", "Milwaukee", "Ryobi"],
        ["Cordless", "Brushless", "Compact", "Hammer"],
        ["12V", "18V", "20V"],
        140,
    ),
    (
        "Home > Tools > Saws",
        "Circular Saw",
        ["Bosch", "DeWalt", "Makita", "Milwaukee", "Metabo"],
        ["Cordless", "Brushless", "Corded", "Track"],
        ["6.5 in", "7.25 in"],
        180,
    ),
    (
        "Sports > Fitness > Treadmills",
        "Treadmill",
        ["NordicTrack", "ProForm", "Sole", "Horizon", "Bowflex"],
        ["Folding", "Incline", "Smart", "Compact"],
        [""],
        1200,
    ),
    (
        "Sports > Cycling > Bike Lights",
        "Bike Light",
        ["Cygolite", "Lezyne", "Bontrager", "Knog", "Garmin"],
        ["USB Rechargeable", "Front", "Rear", "Waterproof"],
        ["400lm", "800lm", "1200lm"],
        45,
    ),
    (
        "Sports > Outdoor > Tents",
        "Tent",
        ["Coleman", "REI", "Big Agnes", "MSR", "Marmot"],
        ["Backpacking", "Waterproof", "Ultralight", "Family"],
        ["2 Person", "4 Person", "6 Person"],
        250,
    ),
    (
        "Toys > Building > Construction Sets",
        "Building Set",
        ["LEGO", "Mega Bloks", "K'NEX", "Playmobil", "Magna-Tiles"],
        ["Classic", "Technic", "Creator", "Starter"],
        ["500 pcs", "1000 pcs", "250 pcs"],
        60,
    ),
    (
        "Beauty > Hair > Hair Dryers",
        "Hair Dryer",
        ["Dyson", "Revlon", "Conair", "Remington", "Panasonic"],
        ["Ionic", "Compact", "Professional", "Travel"],
        ["1800W", "1875W"],
        90,
    ),
]
COLORS = ["Black", "White", "Silver", "Blue", "Gray", "Red", ""]


@dataclass(frozen=True)
class Catalog:
    product_id: np.ndarray
    category: np.ndarray  # index into TAXONOMY
    brand: np.ndarray
    model_number: np.ndarray
    title: np.ndarray
    price: np.ndarray
    gtin: np.ndarray  # '' when missing
    popularity: np.ndarray  # sums to 1, long tail
    updated_at: np.ndarray


def gtin13(body12: np.ndarray) -> np.ndarray:
    """GTIN-13 strings with a correct check digit from 12-digit integer bodies."""
    digits = np.array([list(f"{b:012d}") for b in body12], dtype=int)
    weights = np.tile([1, 3], 6)
    check = (10 - (digits * weights).sum(axis=1) % 10) % 10
    return np.array([f"{b:012d}{c}" for b, c in zip(body12, check, strict=True)])


def make_listings(rng: np.random.Generator, n: int, prefix_offset: int) -> dict[str, np.ndarray]:
    """Product-like rows (category, brand, model number, title, price): the catalog and the
    look-alike products that are not in it (offers that match nothing) share this."""
    category = rng.integers(0, len(TAXONOMY), n)
    brand = np.empty(n, dtype=object)
    title = np.empty(n, dtype=object)
    model = np.empty(n, dtype=object)
    price = np.empty(n)
    letters = np.array(list("ABCDEFGHJKLMNPRSTVWXZ"))
    for c, (_, noun, brands, descriptors, units, median) in enumerate(TAXONOMY):
        idx = np.flatnonzero(category == c)
        k = len(idx)
        if not k:
            continue
        b = rng.integers(0, len(brands), k)
        pre = letters[rng.integers(0, len(letters), (k, 2))]
        num = rng.integers(100 + prefix_offset, 9999, k)
        suffix = letters[rng.integers(0, len(letters), k)]
        has_suffix = rng.random(k) < 0.5
        hyphen = rng.random(k) < 0.6
        d1 = rng.integers(0, len(descriptors), k)
        d2 = rng.integers(0, len(descriptors), k)
        u = rng.integers(0, len(units), k)
        col = rng.integers(0, len(COLORS), k)
        for j, i in enumerate(idx):
            m = f"{pre[j, 0]}{pre[j, 1]}{'-' if hyphen[j] else ''}{num[j]}{suffix[j] if has_suffix[j] else ''}"
            words = [brands[b[j]], m, descriptors[d1[j]]]
            if d2[j] != d1[j]:
                words.append(descriptors[d2[j]])
            words += [noun, units[u[j]], COLORS[col[j]]]
            brand[i], model[i] = brands[b[j]], m
            title[i] = " ".join(w for w in words if w)
        price[idx] = np.round(median * rng.lognormal(0, 0.35, k), 2)
    return {
        "category": category,
        "brand": brand,
        "model_number": model,
        "title": title,
        "price": price,
    }


def add_variants(rng: np.random.Generator, rows: dict[str, np.ndarray], share: float) -> None:
    """Turn `share` of the rows into variants of an earlier row of the same category: same
    brand and model family (same model number, or another suffix letter), another size or
    colour, a code that differs in its suffix letter or one digit. These are the hard
    non-matches real catalogs are full of."""
    category, title, brand, model = (
        rows["category"],
        rows["title"],
        rows["brand"],
        rows["model_number"],
    )
    first_of_category: dict[int, int] = {}
    for i in range(len(title)):
        c = int(category[i])
        parent = first_of_category.setdefault(c, i)
        if parent == i or rng.random() >= share:
            continue
        parent = int(rng.integers(parent, i))
        while category[parent] != c:
            parent = int(rng.integers(first_of_category[c], i))
        units = [u for u in TAXONOMY[c][4] if u]
        text = title[parent]
        used = [u for u in units if u in text]
        if used and len(units) > 1:
            text = text.replace(used[0], str(rng.choice([u for u in units if u != used[0]])))
        else:
            words = text.split(" ")
            colour = str(rng.choice([x for x in COLORS if x and x != words[-1]]))
            text = " ".join([*words[:-1], colour] if words[-1] in COLORS else [*words, colour])
        family = model[parent]
        roll = rng.random()
        if roll < 0.4:
            variant = family
        elif roll < 0.7:  # another suffix letter
            variant = family[:-1] + "ABCDEFGH"[int(rng.integers(0, 8))]
        else:  # one digit of the code changed: KX-TG1032 and KX-TG1033
            digits = [k for k, ch in enumerate(family) if ch.isdigit()]
            k = digits[int(rng.integers(0, len(digits)))]
            variant = (
                family[:k] + str((int(family[k]) + int(rng.integers(1, 10))) % 10) + family[k + 1 :]
            )
        title[i] = text.replace(family, variant)
        brand[i], model[i] = brand[parent], variant


@lru_cache(maxsize=8)
def catalog(seed: int, scale: float) -> Catalog:
    n = max(200, round(10_000 * scale))
    rng = rng_for(seed, "catalog")
    rows = make_listings(rng, n, 0)
    add_variants(rng, rows, share=0.35)
    has_gtin = rng.random(n) < 0.85
    gtin = np.where(has_gtin, gtin13(rng.integers(10**11, 10**12 - 1, n)), "")
    ranks = rng.permutation(n)
    popularity = 1.0 / (ranks + 1.0) ** 1.05
    popularity /= popularity.sum()
    updated = timestamps(
        rng, n, DEMO_END - np.timedelta64(400, "D"), DEMO_END - np.timedelta64(100, "D")
    )
    return Catalog(
        product_id=np.array([f"P{i:06d}" for i in range(1, n + 1)]),
        gtin=gtin,
        popularity=popularity,
        updated_at=updated,
        **rows,
    )


SPEC_SENTENCES = [
    "Designed for everyday use with a {d} finish.",
    "Ships with a one-year limited warranty.",
    "Compatible with most accessories in the {noun} range.",
    "Rated {d} by independent reviewers.",
    "Includes quick start guide and power adapter where applicable.",
]


@lru_cache(maxsize=8)
def descriptions(seed: int, scale: float) -> np.ndarray:
    """Catalog descriptions of varying length, as real catalogs have them: none, a short
    line, or a paragraph that repeats the brand, model code and sizes among spec sentences."""
    cat = catalog(seed, scale)
    rng = rng_for(seed, "descriptions")
    out = np.empty(len(cat.title), dtype=object)
    for i in range(len(cat.title)):
        _, noun, _, descriptors, _, _ = TAXONOMY[cat.category[i]]
        roll = rng.random()
        if roll < 0.25:
            out[i] = ""
        elif roll < 0.55:
            out[i] = f"{cat.brand[i]} {noun}"
        else:
            count = int(rng.integers(1, len(SPEC_SENTENCES) + 1))
            picks = rng.choice(len(SPEC_SENTENCES), count, replace=False)
            body = " ".join(
                SPEC_SENTENCES[k].format(
                    d=descriptors[int(rng.integers(0, len(descriptors)))], noun=noun
                )
                for k in picks
            )
            out[i] = f"The {cat.title[i]} ({cat.model_number[i]}). {body}"
    return out
