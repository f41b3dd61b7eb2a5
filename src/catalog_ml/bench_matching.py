"""Matching benchmark on labelled data in the Magellan / DeepMatcher layout (issue 13).

    python -m catalog_ml.bench_matching FOLDER [--work DIR] [--keep] [--json PATH] [--vars YAML]
    make bench-matching DATA=FOLDER

FOLDER holds tableA.csv and tableB.csv (an `id` column plus attributes whose names vary by
data set) and train.csv, valid.csv, test.csv (ltable_id, rtable_id, label). The command
1. maps them to the raw data contract (models/staging/_raw__sources.yml): tableA is the
   catalog (products.csv), tableB the offers (offers.csv, merchant 'tableB'), the labels
   match_labels.csv (offer = rtable_id, product = ltable_id); the other raw tables are
   header-only (catalog_ml.matching_data);
2. runs `dbt build` in files mode on the mapped folder, with its own DuckDB file in the work
   folder, timing it and measuring its peak memory;
3. prints the matcher's pairwise precision, recall, F1 and average precision on the test
   pairs next to the build's own baseline (eval_matcher_metrics), blocking completeness,
   candidate pairs per offer, offers without candidates and the data's counts.

Exit codes: 0 done, 1 the dbt build failed, 2 the data cannot be mapped (the message names
the file, the line and the value). The work folder, the build and the failure report are
shared with the recommendations benchmark (catalog_ml.bench_common).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from catalog_ml.bench_common import (
    WorkFolderError,
    add_build_arguments,
    fmt,
    json_number,
    report_build_failure,
    run_build,
    work_folder,
    write_json,
)
from catalog_ml.matching_data import (
    SPLITS,
    BenchDataError,
    Mapped,
    map_folder,
    write_raw_folder,
)
from catalog_ml.warehouse import connect

REPO = Path(__file__).resolve().parents[2]
# A pair blocking never proposed ranks below every proposed pair in the average precision.
NOT_PROPOSED_SCORE = -1.0


def pairwise_scores(labels: Sequence[int], predicted: Sequence[bool | int]) -> dict:
    """Pairwise precision, recall and F1 of predicted matches against 0/1 labels, with the
    confusion counts. An undefined ratio (nothing predicted, no positives) is None."""
    if len(labels) != len(predicted):
        raise ValueError(f"{len(labels)} labels but {len(predicted)} predictions")
    tp = sum(1 for y, p in zip(labels, predicted, strict=True) if y and p)
    fp = sum(1 for y, p in zip(labels, predicted, strict=True) if not y and p)
    fn = sum(1 for y, p in zip(labels, predicted, strict=True) if y and not p)
    return {
        "pairs": len(labels),
        "positives": tp + fn,
        "true_positives": tp,
        "false_positives": fp,
        "false_negatives": fn,
        "precision": tp / (tp + fp) if tp + fp else None,
        "recall": tp / (tp + fn) if tp + fn else None,
        "f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None,
    }


def average_precision(labels: Sequence[int], scores: Sequence[float]) -> float | None:
    """Average precision of a score against 0/1 labels: sum over distinct score thresholds,
    highest first, of precision x recall gained (tied scores form one threshold), as
    sklearn.metrics.average_precision_score. None without positives."""
    positives = sum(1 for y in labels if y)
    if not positives:
        return None
    order = sorted(zip(scores, labels, strict=True), key=lambda pair: -pair[0])
    total, tp, seen, index = 0.0, 0, 0, 0
    while index < len(order):
        threshold, gained = order[index][0], 0
        while index < len(order) and order[index][0] == threshold:
            gained += 1 if order[index][1] else 0
            seen += 1
            index += 1
        tp += gained
        total += (gained / positives) * (tp / seen)
    return total


def figures(warehouse: Path, mapped: Mapped) -> dict:
    """The benchmark's figures from the built warehouse and the mapped labels. Every mapped
    test label counts, also one staging rejected (it is then a predicted non-match)."""
    labels = pd.DataFrame(mapped.labels, columns=["offer_id", "product_id", "is_match", "split"])
    labels["is_match"] = labels["is_match"].astype(int)
    with connect(warehouse) as con:
        con.register("bench_labels", labels)
        pairs = con.execute(
            """
            select
                labels.offer_id, labels.product_id, labels.is_match, labels.split,
                candidates.offer_id is not null as is_proposed,
                scores.match_score, scores.match_threshold, scores.model_version
            from bench_labels as labels
            left join (select distinct offer_id, product_id from int_catalog_candidates)
                as candidates
                on labels.offer_id = candidates.offer_id
                and labels.product_id = candidates.product_id
            left join ml_matcher_scores as scores
                on labels.offer_id = scores.offer_id and labels.product_id = scores.product_id
            """
        ).df()
        products_kept, offers_kept, labels_kept = (
            con.execute(f"select count(*) from {name}").fetchone()[0]
            for name in ["stg_products", "stg_offers", "stg_match_labels"]
        )
        candidate_pairs, offers_without = con.execute(
            """
            select
                (select count(*) from int_catalog_candidates),
                (select count(*) from stg_offers as offers
                 where not exists (
                    select 1 from int_catalog_candidates as candidates
                    where candidates.offer_id = offers.offer_id))
            """
        ).fetchone()
        baseline = con.execute(
            """
            select precision, recall, f1, average_precision, threshold, evaluated_rows
            from eval_matcher_metrics where evaluation = 'baseline_title_tfidf'
            """
        ).fetchone()
        reduction_ratio = con.execute("select reduction_ratio from eval_blocking").fetchone()[0]

    if len(pairs) != len(labels):
        raise RuntimeError(
            f"{len(labels)} labelled pairs became {len(pairs)} rows joined to the candidates"
            " and scores: ml_matcher_scores holds a pair twice"
        )
    scored = pairs["match_score"].notna()
    pairs["is_predicted"] = (
        pairs["is_proposed"] & scored & (pairs["match_score"] >= pairs["match_threshold"])
    )
    pairs["end_to_end_score"] = pairs["match_score"].where(
        pairs["is_proposed"] & scored, NOT_PROPOSED_SCORE
    )
    test = pairs[pairs["split"] == "test"]
    test_scored = test[test["match_score"].notna()]
    matcher = pairwise_scores(test["is_match"].tolist(), test["is_predicted"].tolist())
    matcher["average_precision"] = average_precision(
        test["is_match"].tolist(), test["end_to_end_score"].tolist()
    )
    thresholds = pairs["match_threshold"].dropna().unique()
    versions = pairs["model_version"].dropna().unique()
    matcher["threshold"] = float(thresholds[0]) if len(thresholds) == 1 else None
    matcher["model_version"] = str(versions[0]) if len(versions) == 1 else None
    score_alone = pairwise_scores(
        test_scored["is_match"].tolist(),
        (test_scored["match_score"] >= test_scored["match_threshold"]).tolist(),
    )
    score_alone["average_precision"] = average_precision(
        test_scored["is_match"].tolist(), test_scored["match_score"].tolist()
    )
    baseline_figures = dict(
        zip(
            ["precision", "recall", "f1", "average_precision", "threshold", "pairs"],
            baseline or [None] * 6,
            strict=True,
        )
    )

    def completeness(frame) -> dict:
        positives = frame[frame["is_match"] == 1]
        kept = int(positives["is_proposed"].sum())
        share = kept / len(positives) if len(positives) else None
        return {"positives": len(positives), "proposed": kept, "pair_completeness": share}

    offers_kept_count = offers_kept or 0
    return {
        "matcher": matcher,
        "matcher_score_alone": score_alone,
        "baseline_title_tfidf": {k: json_number(v) for k, v in baseline_figures.items()},
        "blocking": {
            "test": completeness(test),
            "all_labelled": completeness(pairs),
            "candidate_pairs": candidate_pairs,
            "candidate_pairs_per_offer": (
                candidate_pairs / offers_kept_count if offers_kept_count else None
            ),
            "offers_without_candidate": offers_without,
            "reduction_ratio": json_number(reduction_ratio),
        },
        "counts": {
            "products": len(mapped.products),
            "products_kept": products_kept,
            "offers": len(mapped.offers),
            "offers_kept": offers_kept,
            "labelled_pairs": {s: int((labels["split"] == s).sum()) for s in SPLITS},
            "labelled_matches": {
                s: int(((labels["split"] == s) & (labels["is_match"] == 1)).sum()) for s in SPLITS
            },
            "labelled_pairs_kept": labels_kept,
            "duplicate_label_rows_dropped": mapped.duplicate_label_rows,
            "unparseable_prices": {k: len(v) for k, v in mapped.unparseable_prices.items()},
            "described_columns": mapped.described_columns,
        },
    }


def format_report(result: dict) -> str:
    """The printed table: matcher and baseline on the test pairs, blocking, data, run."""
    counts, blocking, run = result["counts"], result["blocking"], result["run"]
    matcher = result["matcher"]
    base = result["baseline_title_tfidf"]
    rows = [
        (f"matcher: blocking + score >= {fmt(matcher['threshold'])}", matcher),
        ("matcher score alone (blocking ignored)", result["matcher_score_alone"]),
        (f"baseline: title TF-IDF >= {fmt(base['threshold'])}", base),
    ]
    lines = [f"matching benchmark: {result['data']} (test pairs)", ""]
    lines.append(f"{'':40}{'precision':>10}{'recall':>8}{'F1':>7}{'avg prec':>10}{'pairs':>7}")
    for name, row in rows:
        pairs = "-" if row["pairs"] is None else row["pairs"]
        lines.append(
            f"{name:40}{fmt(row['precision']):>10}{fmt(row['recall']):>8}{fmt(row['f1']):>7}"
            f"{fmt(row['average_precision']):>10}{pairs:>7}"
        )
    if matcher["model_version"] is None:
        lines.append("(no matcher scores: the matcher did not train; see the dbt log)")
    test, every = blocking["test"], blocking["all_labelled"]
    labelled = ", ".join(
        f"{s} {counts['labelled_pairs'][s]} ({counts['labelled_matches'][s]} matches)"
        for s in SPLITS
    )
    lines += [
        "",
        f"blocking  pair completeness: test matches {fmt(test['pair_completeness'])}"
        f" ({test['proposed']}/{test['positives']}), all labelled matches"
        f" {fmt(every['pair_completeness'])} ({every['proposed']}/{every['positives']})",
        f"          candidate pairs {blocking['candidate_pairs']}"
        f" ({fmt(blocking['candidate_pairs_per_offer'], 1)} per offer), offers with no"
        f" candidate {blocking['offers_without_candidate']}, reduction ratio"
        f" {fmt(blocking['reduction_ratio'])}",
        f"data      products {counts['products']} (staging kept {counts['products_kept']}),"
        f" offers {counts['offers']} (kept {counts['offers_kept']})",
        f"          labelled pairs {labelled}; staging kept"
        f" {counts['labelled_pairs_kept']} of {sum(counts['labelled_pairs'].values())}",
    ]
    prices = counts["unparseable_prices"]
    if any(prices.values()):
        lines.append(
            f"          unparseable prices left empty: tableA {prices['products']},"
            f" tableB {prices['offers']}"
        )
    for table, file in (("products", "tableA"), ("offers", "tableB")):
        if counts["described_columns"][table]:
            columns = ", ".join(counts["described_columns"][table])
            lines.append(f"          {file} columns appended to the description: {columns}")
    if counts["duplicate_label_rows_dropped"]:
        lines.append(
            f"          repeated label rows dropped: {counts['duplicate_label_rows_dropped']}"
        )
    lines.append(
        f"run       dbt build {run['wall_seconds']:.1f} s wall, peak memory"
        f" {run['peak_memory_mb']:.0f} MB"
    )
    lines.append(
        "(baseline: the build's eval_matcher_metrics 'baseline_title_tfidf', threshold chosen"
        " on valid; a pair blocking never proposed is a predicted non-match of the matcher)"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m catalog_ml.bench_matching",
        description="Benchmark the matcher on labelled data in the Magellan/DeepMatcher layout"
        " (tableA.csv, tableB.csv, train.csv, valid.csv, test.csv).",
    )
    parser.add_argument("folder", type=Path, help="the data set's folder")
    add_build_arguments(parser, REPO, "{catalog_candidates_per_offer: 30}")
    args = parser.parse_args(argv)

    try:
        mapped = map_folder(args.folder)
    except BenchDataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        with work_folder(args.work, "bench_matching_", args.keep) as work:
            raw = work / "raw"
            write_raw_folder(mapped, raw, args.project_dir)
            print(
                f"mapped {args.folder} to {raw}; running dbt build (log: {work / 'dbt_build.log'})"
            )
            run = run_build(raw, work, args.project_dir.resolve(), args.vars)
            if run["returncode"] != 0:
                report_build_failure(run, args.keep)
                return 1
            result = {"data": str(args.folder), **figures(work / "warehouse.duckdb", mapped)}
            result["run"] = {k: v for k, v in run.items() if k != "log"}
            print(format_report(result))
            if args.json:
                write_json(args.json, result)
    except WorkFolderError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
