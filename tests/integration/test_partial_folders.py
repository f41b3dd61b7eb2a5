"""Files mode with only some of the raw tables (the others header-only CSVs): a catalog team's
folder (products, offers, match_labels) and a recommendations team's purchases-only folder
(products, users, events with no impressions or clicks). Each builds with exit 0; the absent
capability's model is "not applicable" in the health summary, with the reason; the experiment
readout is empty with its contract types; a data set without clicks or impressions flags no
user as a bot."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml
from conftest import REPO, run_dbt

RECS_FIXTURE = REPO / "tests" / "fixtures" / "recs_synthetic"
# Header of every raw table, as the raw contract (models/staging/_raw__sources.yml) names them.
HEADERS = {
    "products": "product_id,title,brand,category,description,price,currency,gtin,model_number,updated_at",
    "offers": "offer_id,merchant_id,title,brand,category,description,price,currency,gtin,model_number,ingested_at",
    "match_labels": "offer_id,product_id,is_match,split,labeled_at",
    "match_overrides": "offer_id,product_id,reviewer,reason,created_at",
    "users": "user_id,signup_at,country,segment",
    "events": "event_id,user_id,product_id,event_type,event_ts,session_id,request_id,position,surface,price",
    "experiments": "experiment_id,name,hypothesis,primary_metric,guardrail_metrics,expected_split,start_at,end_at",
    "experiment_assignments": "experiment_id,user_id,variant,assigned_at",
}
BRANDS = ["Sony", "Bosch", "Philips", "Canon", "Logitech", "Makita"]
KINDS = [
    ("Headphones", "Electronics > Audio > Headphones", 120),
    ("Drill Driver", "Tools > Power Tools > Drills", 90),
    ("Kettle", "Home > Kitchen > Kettles", 40),
    ("Camera", "Electronics > Cameras > Compact", 450),
    ("Mouse", "Electronics > Computers > Mice", 30),
]
READOUT_CONTRACT = REPO / "models" / "marts" / "experiments" / "fct_experiment_results.yml"
# The registry, drift and skew checks of one model in mon_health_summary.
MODEL_CHECKS = ["one_champion", "pinned_version", "feature_drift_psi", "training_serving_skew"]


def write_table(folder: Path, table: str, rows: list[dict] | None = None) -> None:
    """One raw CSV with the contract's header; no rows makes it header-only."""
    header = HEADERS[table].split(",")
    with open(folder / f"{table}.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows or [])


def catalog_only_folder(folder: Path) -> Path:
    """Case (a): 30 products, 40 offers (noisy copies of them) and 120 labels (each offer
    against its product and two others, one of the same brand); everything else header-only."""
    folder.mkdir(parents=True, exist_ok=True)
    products = []
    for index in range(30):
        brand = BRANDS[index % len(BRANDS)]
        kind, category, base_price = KINDS[index % len(KINDS)]
        code = f"{brand[:2].upper()}{100 + 7 * index}X"
        products.append(
            {
                "product_id": f"P{index}",
                "title": f"{brand} {kind} {code} Series {index % 4 + 1}",
                "brand": brand,
                "category": category,
                "price": f"{base_price + 3 * index:.2f}",
                "currency": "USD",
                "model_number": code,
                "updated_at": "2026-09-01 10:00:00",
            }
        )
    offers, labels = [], []
    for index in range(40):
        product = products[(7 * index) % 30]
        brand, code = product["brand"], product["model_number"]
        noisy_code = f"{code[:2]}-{code[2:]}" if index % 2 else code.lower()
        kind = product["title"].split(" ")[1]
        title = (
            f"{brand.upper()} {noisy_code} {kind} - free shipping"
            if index % 3
            else f"{kind} by {brand} ({noisy_code})"
        )
        offers.append(
            {
                "offer_id": f"O{index}",
                "merchant_id": f"M{index % 5}",
                "title": title,
                "brand": brand if index % 4 else "",
                "price": f"{float(product['price']) * (0.9 + 0.01 * (index % 10)):.2f}",
                "currency": "USD",
                "ingested_at": f"2026-10-{1 + index % 20:02d} 09:00:00",
            }
        )
        split = "train" if index < 24 else "valid" if index < 32 else "test"
        same_brand = products[((7 * index) % 30 + 6) % 30]  # same brand, other product
        other = products[((7 * index) % 30 + 11) % 30]
        for candidate, is_match in ((product, 1), (same_brand, 0), (other, 0)):
            labels.append(
                {
                    "offer_id": f"O{index}",
                    "product_id": candidate["product_id"],
                    "is_match": str(is_match),
                    "split": split,
                    "labeled_at": "2026-10-25 09:00:00",
                }
            )
    write_table(folder, "products", products)
    write_table(folder, "offers", offers)
    write_table(folder, "match_labels", labels)
    for table in ["match_overrides", "users", "events", "experiments", "experiment_assignments"]:
        write_table(folder, table)
    return folder


def purchases_only_folder(folder: Path) -> Path:
    """Case (b): the recommendations fixture's products and users, and its events without
    impressions or clicks: a purchases log (purchases, add-to-carts and hides). The carts
    matter: with purchases alone every user's other bot signals are near zero, so a filter
    that counts the missing click share as extreme would still flag nobody and this test
    would not see it. Everything else header-only."""
    folder.mkdir(parents=True, exist_ok=True)
    for table, keep in [
        ("products", lambda row: True),
        ("users", lambda row: True),
        ("events", lambda row: row["event_type"] not in {"impression", "click"}),
    ]:
        with open(RECS_FIXTURE / f"{table}.csv", newline="") as handle:
            write_table(folder, table, [row for row in csv.DictReader(handle) if keep(row)])
    for table in [
        "offers",
        "match_labels",
        "match_overrides",
        "experiments",
        "experiment_assignments",
    ]:
        write_table(folder, table)
    return folder


def files_vars(folder: Path) -> str:
    return "{raw_source: files, raw_data_path: '" + str(folder) + "'}"


def build(folder: Path, workdir: Path) -> Path:
    result = run_dbt(["build", "--vars", files_vars(folder)], workdir)
    assert result.returncode == 0, result.stdout[-8000:]
    return workdir


@pytest.fixture(scope="module")
def catalog_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = catalog_only_folder(tmp_path_factory.mktemp("catalog_only_raw"))
    return build(folder, tmp_path_factory.mktemp("catalog_only"))


@pytest.fixture(scope="module")
def purchases_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = purchases_only_folder(tmp_path_factory.mktemp("purchases_only_raw"))
    return build(folder, tmp_path_factory.mktemp("purchases_only"))


def health(workdir: Path, query, model_name: str) -> dict[str, tuple[str, str]]:
    """check_name -> (status, message) of one model's registry, drift and skew checks."""
    rows = query(
        workdir,
        "select check_name, status, message from mon_health_summary"
        f" where subject = '{model_name}' or subject like '{model_name}.%'",
    )
    return {check: (status, message) for check, status, message in rows if check in MODEL_CHECKS}


def assert_not_applicable(workdir: Path, query, model_name: str, empty_input: str) -> None:
    checks = health(workdir, query, model_name)
    assert set(checks) == set(MODEL_CHECKS)
    for status, message in checks.values():
        assert status == "not_applicable"
        assert (
            message.startswith("not applicable") and f"{empty_input}, which has no rows" in message
        )


def assert_trained(workdir: Path, query, model_name: str) -> None:
    status, message = health(workdir, query, model_name)["one_champion"]
    assert status == "pass", message


def assert_nothing_errors(workdir: Path, query) -> None:
    errors = query(
        workdir,
        "select check_name, subject, message from mon_health_summary where status = 'error'",
    )
    assert errors == []


def assert_empty_readout_with_contract_types(workdir: Path, query) -> None:
    (model,) = yaml.safe_load(READOUT_CONTRACT.read_text())["models"]
    contract = {column["name"]: column["data_type"].upper() for column in model["columns"]}
    built = dict(
        query(workdir, "select column_name, column_type from (describe fct_experiment_results)")
    )
    assert built == contract
    assert query(workdir, "select count(*) from fct_experiment_results") == [(0,)]


def test_catalog_only_folder_matches_and_says_the_ranker_is_not_applicable(catalog_only, query):
    assert_trained(catalog_only, query, "matcher")
    assert_not_applicable(catalog_only, query, "recs_ranker", "stg_events")
    assert_nothing_errors(catalog_only, query)
    (offers, decided) = query(
        catalog_only, "select count(distinct offer_id), count(*) from fct_offer_matches"
    )[0]
    assert offers == decided == 40
    assert query(catalog_only, "select count(*) from fct_recommendations") == [(0,)]


def test_catalog_only_folder_has_an_empty_typed_experiment_readout(catalog_only, query):
    assert_empty_readout_with_contract_types(catalog_only, query)


def test_purchases_only_folder_recommends_and_says_the_matcher_is_not_applicable(
    purchases_only, query
):
    assert_trained(purchases_only, query, "recs_ranker")
    assert_not_applicable(purchases_only, query, "matcher", "stg_match_labels")
    assert_nothing_errors(purchases_only, query)
    (users,) = query(purchases_only, "select count(*) from stg_users")[0]
    assert query(purchases_only, "select count(distinct user_id) from fct_recommendations") == [
        (users,)
    ]
    assert query(purchases_only, "select count(*) from fct_offer_matches") == [(0,)]


def test_purchases_only_folder_has_an_empty_typed_experiment_readout(purchases_only, query):
    assert_empty_readout_with_contract_types(purchases_only, query)


def test_without_clicks_or_impressions_no_user_is_flagged_as_a_bot(purchases_only, query):
    (users, without_click_share, flagged) = query(
        purchases_only,
        "select count(*), count(*) - count(click_share), count(*) filter (where is_bot)"
        " from int_recs_user_behaviour",
    )[0]
    # every user lacks the click signal: it abstains (null) instead of counting as extreme
    # (scored as 0/0 = NaN, the top robust z, it flagged 15 of the 194 users here)
    assert users > 100 and without_click_share == users
    assert flagged == 0
