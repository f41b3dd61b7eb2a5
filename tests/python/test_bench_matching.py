"""The matching benchmark's mapping of Magellan folders to the raw data contract (aliases,
prices, label checks, errors that name the file, line and value) and its metrics against
sklearn. The end-to-end run is tests/integration/test_bench_matching.py."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, precision_recall_fscore_support

from catalog_ml import bench_matching as bench
from catalog_ml import matching_data as data

REPO = Path(__file__).resolve().parents[2]
LABEL_HEADER = "ltable_id,rtable_id,label\n"


def write_folder(
    folder: Path,
    table_a: str,
    table_b: str,
    train: str = "1,10,1\n2,10,0\n",
    valid: str = "2,11,1\n",
    test: str = "1,11,0\n",
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tableA.csv").write_text(table_a, encoding="utf-8")
    (folder / "tableB.csv").write_text(table_b, encoding="utf-8")
    for split, rows in (("train", train), ("valid", valid), ("test", test)):
        (folder / f"{split}.csv").write_text(LABEL_HEADER + rows, encoding="utf-8")
    return folder


ABT = (
    'id,name,description,price\n1,Sony Bravia KDL-40,40in LCD TV,"$1,299.99"\n2,Canon PIXMA,,abc\n'
)
BUY = "id,title,manufacturer,price\n10,Sony KDL40 Bravia TV,Sony, $ 29.99 \n11,Canon MG-3620,Canon,0\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$1,299.99", "1299.99"),
        (" $ 29.99 ", "29.99"),
        ("29.99", "29.99"),
        ("0", "0"),
        ("1,299", "1299"),
        ("", ""),
        ("   ", ""),
        (None, ""),
        ("abc", None),
        ("1,29", None),
        ("-5.00", None),
        ("29.99 USD", None),
        ("1.299,99", None),
    ],
)
def test_clean_price(text, expected):
    assert data.clean_price(text) == expected


def test_aliases_map_name_manufacturer_and_modelno(tmp_path):
    folder = write_folder(tmp_path, ABT, BUY)
    mapped = data.map_folder(folder)
    first = mapped.products[0]
    assert first["product_id"] == "1"
    assert first["title"] == "Sony Bravia KDL-40"  # name -> title
    assert first["description"] == "40in LCD TV"
    assert first["price"] == "1299.99"
    assert mapped.products[1]["price"] == ""  # 'abc' is unparseable: left empty, counted
    assert mapped.unparseable_prices == {"products": ["abc"], "offers": []}
    offer = mapped.offers[0]
    assert offer["brand"] == "Sony"  # manufacturer -> brand
    assert offer["price"] == "29.99"
    assert offer["merchant_id"] == "tableB"
    assert mapped.described_columns == {"products": [], "offers": []}


def test_walmart_columns_and_unmapped_attributes_go_to_the_description(tmp_path):
    walmart = (
        "id,title,category,brand,modelno,price\n"
        "1,Brother Laser Printer,Printers,Brother,HL-L2350DW,119.99\n"
        "2,Brother Laser Printer,Printers,Brother,,\n"
    )
    dblp = (
        "id,title,authors,venue,year\n"
        '10,Entity matching,"A. Doan, P. Konda",SIGMOD,2016\n'
        "11,Deep matching,,VLDB,\n"
    )
    mapped = data.map_folder(write_folder(tmp_path, walmart, dblp))
    product = mapped.products[0]
    assert (product["model_number"], product["category"], product["brand"]) == (
        "HL-L2350DW",
        "Printers",
        "Brother",
    )
    assert mapped.offers[0]["description"] == (
        "authors: A. Doan, P. Konda; venue: SIGMOD; year: 2016"
    )
    assert mapped.offers[1]["description"] == "venue: VLDB"  # empty values are left out
    assert mapped.described_columns == {"products": [], "offers": ["authors", "venue", "year"]}


def test_labels_map_to_offer_product_match_and_split(tmp_path):
    mapped = data.map_folder(write_folder(tmp_path, ABT, BUY))
    assert mapped.labels == [
        {"offer_id": "10", "product_id": "1", "is_match": "1", "split": "train"},
        {"offer_id": "10", "product_id": "2", "is_match": "0", "split": "train"},
        {"offer_id": "11", "product_id": "2", "is_match": "1", "split": "valid"},
        {"offer_id": "11", "product_id": "1", "is_match": "0", "split": "test"},
    ]


def test_a_pair_in_two_splits_is_an_error_naming_both(tmp_path):
    folder = write_folder(tmp_path, ABT, BUY, test="1,11,0\n1,10,1\n")
    with pytest.raises(data.BenchDataError) as error:
        data.map_folder(folder)
    message = str(error.value)
    assert "ltable_id '1', rtable_id '10'" in message
    assert "train.csv line 2" in message and "test.csv line 3" in message


def test_a_repeated_pair_in_one_split_is_dropped_and_counted_unless_labels_differ(tmp_path):
    mapped = data.map_folder(write_folder(tmp_path / "same", ABT, BUY, train="1,10,1\n1,10,1\n"))
    assert mapped.duplicate_label_rows == 1
    assert len(mapped.labels) == 3
    conflict = write_folder(tmp_path / "conflict", ABT, BUY, train="1,10,1\n1,10,0\n")
    with pytest.raises(data.BenchDataError, match=r"two labels: train\.csv line 2 and train\.csv"):
        data.map_folder(conflict)


@pytest.mark.parametrize(
    ("split_rows", "message"),
    [
        ("1,99,1\n", r"train.csv, line 2: rtable_id '99' is not an id in tableB.csv"),
        ("7,10,1\n", r"train.csv, line 2: ltable_id '7' is not an id in tableA.csv"),
        ("1,10,yes\n", r"train.csv, line 2: label 'yes' is not 0 or 1"),
    ],
)
def test_dangling_ids_and_bad_labels_name_file_line_and_value(tmp_path, split_rows, message):
    with pytest.raises(data.BenchDataError, match=message):
        data.map_folder(write_folder(tmp_path, ABT, BUY, train=split_rows))


def test_table_errors_name_the_file(tmp_path):
    latin1 = write_folder(tmp_path / "latin1", ABT, BUY)
    (latin1 / "tableA.csv").write_bytes("id,name\n1,Caf\xe9 Press\n".encode("latin-1"))
    with pytest.raises(data.BenchDataError, match=r"tableA.csv: not UTF-8 \(byte 0xe9 on line 2"):
        data.map_folder(latin1)
    no_title = write_folder(tmp_path / "no_title", "id,brand\n1,Sony\n", BUY)
    with pytest.raises(data.BenchDataError, match=r"tableA.csv: no title column \(one of title"):
        data.map_folder(no_title)
    repeated = write_folder(tmp_path / "repeated", ABT, BUY + "10,Other,Sony,1\n")
    with pytest.raises(data.BenchDataError, match=r"tableB.csv, line 4: id '10' repeats line 2"):
        data.map_folder(repeated)
    no_labels = write_folder(tmp_path / "no_labels", ABT, BUY)
    (no_labels / "valid.csv").unlink()
    with pytest.raises(data.BenchDataError, match=r"valid.csv: file not found"):
        data.map_folder(no_labels)


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def test_the_raw_folder_has_every_contract_table_with_the_fixture_headers(tmp_path):
    mapped = data.map_folder(write_folder(tmp_path / "data", ABT, BUY))
    data.write_raw_folder(mapped, tmp_path / "raw", REPO)
    clean = REPO / "tests" / "fixtures" / "raw_files_clean"
    row_counts = {"products.csv": 2, "offers.csv": 2, "match_labels.csv": 4}
    for expected in sorted(clean.glob("*.csv")):
        header, rows = read_rows(tmp_path / "raw" / expected.name)
        assert header == read_rows(expected)[0], expected.name
        assert len(rows) == row_counts.get(expected.name, 0), expected.name
    offers = read_rows(tmp_path / "raw" / "offers.csv")[1]
    assert offers[0]["offer_id"] == "10" and offers[0]["merchant_id"] == "tableB"
    assert offers[0]["currency"] == "" and offers[0]["gtin"] == ""


def test_pairwise_scores_equal_sklearn_on_a_hand_made_case():
    labels = [1, 1, 1, 1, 0, 0, 0, 0, 0, 1]
    predicted = [1, 1, 0, 0, 1, 0, 0, 0, 0, 1]  # tp 3, fp 1, fn 2
    scores = bench.pairwise_scores(labels, predicted)
    assert (scores["true_positives"], scores["false_positives"], scores["false_negatives"]) == (
        3,
        1,
        2,
    )
    assert (scores["precision"], scores["recall"]) == (0.75, 0.6)
    precision, recall, f1, _ = precision_recall_fscore_support(labels, predicted, average="binary")
    assert scores["precision"] == pytest.approx(precision)
    assert scores["recall"] == pytest.approx(recall)
    assert scores["f1"] == pytest.approx(f1)
    rng = np.random.default_rng(3)
    labels = (rng.random(200) < 0.3).astype(int).tolist()
    predicted = (rng.random(200) < 0.4).tolist()
    scores = bench.pairwise_scores(labels, predicted)
    expected = precision_recall_fscore_support(labels, predicted, average="binary")[:3]
    assert [scores["precision"], scores["recall"], scores["f1"]] == pytest.approx(list(expected))


def test_pairwise_scores_say_none_where_a_ratio_is_undefined():
    nothing_predicted = bench.pairwise_scores([1, 0], [0, 0])
    assert nothing_predicted["precision"] is None
    assert nothing_predicted["recall"] == 0.0 and nothing_predicted["f1"] == 0.0
    no_positives = bench.pairwise_scores([0, 0], [0, 0])
    assert no_positives["recall"] is None and no_positives["f1"] is None
    with pytest.raises(ValueError, match="3 labels but 2 predictions"):
        bench.pairwise_scores([1, 0, 1], [1, 0])


def test_average_precision_equals_sklearn_with_ties_and_unproposed_pairs():
    rng = np.random.default_rng(5)
    labels = (rng.random(300) < 0.3).astype(int)
    scores = np.round(np.clip(labels * 0.3 + rng.random(300) * 0.7, 0, 1), 1)  # many ties
    scores[rng.random(300) < 0.1] = bench.NOT_PROPOSED_SCORE
    assert bench.average_precision(labels.tolist(), scores.tolist()) == pytest.approx(
        average_precision_score(labels, scores)
    )
    assert bench.average_precision([0, 0], [0.1, 0.2]) is None


def test_a_failed_build_prints_the_tail_of_dbts_output_and_exits_non_zero(
    tmp_path, monkeypatch, capsys
):
    folder = write_folder(tmp_path / "data", ABT, BUY)

    def failed_build(raw: Path, work: Path, project_dir: Path, extra_vars: dict) -> dict:
        log = work / "dbt_build.log"
        log.write_text("".join(f"line {i}\n" for i in range(100)) + "Compilation Error\n")
        return {"returncode": 1, "log": str(log), "wall_seconds": 1.0, "peak_memory_mb": 1.0}

    monkeypatch.setattr(bench, "run_build", failed_build)
    assert bench.main([str(folder), "--work", str(tmp_path / "work")]) == 1
    err = capsys.readouterr().err
    assert "Compilation Error" in err and "line 99" in err and "line 10\n" not in err
    assert "dbt build failed (exit 1)" in err
    assert not (tmp_path / "work" / "raw").exists()  # the work folder is cleaned without --keep


def test_bad_data_exits_2_before_any_build(tmp_path, monkeypatch, capsys):
    folder = write_folder(tmp_path / "data", ABT, BUY, train="1,99,1\n")
    monkeypatch.setattr(bench, "run_build", lambda *args: pytest.fail("no build on bad data"))
    assert bench.main([str(folder)]) == 2
    assert "rtable_id '99' is not an id in tableB.csv" in capsys.readouterr().err


def test_the_demo_exports_a_folder_the_benchmark_maps(tmp_path):
    from catalog_ml.demo import _valid_columns, magellan

    counts = magellan.write(tmp_path, scale=0.02)
    mapped = data.map_folder(tmp_path)
    products = _valid_columns("products", magellan.SEED, 0.02)
    offers = _valid_columns("offers", magellan.SEED, 0.02)
    labels = _valid_columns("match_labels", magellan.SEED, 0.02)
    assert len(mapped.products) == counts["tableA.csv"] == len(products["product_id"])
    assert len(mapped.offers) == counts["tableB.csv"] == len(offers["offer_id"])
    label_rows = sum(counts[f"{s}.csv"] for s in ("train", "valid", "test"))
    assert len(mapped.labels) == label_rows == len(labels["offer_id"])
    # the public layout has no GTIN: none reaches the raw offers
    assert all(not row.get("gtin") for row in mapped.offers)
