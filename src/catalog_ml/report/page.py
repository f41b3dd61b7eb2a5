"""The report page: the headline, then one <figure> per plot (inline SVG, caption, source
tables). One self-contained file: no script, no stylesheet or font from elsewhere, so it
opens offline from disk."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import brier_score_loss

from catalog_ml.headline import Headline, headline
from catalog_ml.report import data, plots

matplotlib.rcParams["svg.hashsalt"] = "catalog-ml"  # stable element ids: same data, same file
matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text (searchable, small)

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.45}figure{margin:2rem 0;border-top:1px solid #ddd;padding-top:1rem}"
    "figcaption{font-size:0.9rem;color:#333;max-width:60rem}svg{max-width:100%;height:auto}"
    "pre{background:#f5f5f5;padding:0.75rem;overflow-x:auto;font-size:0.85rem}"
    ".missing{color:#9d0208}"
)


@dataclass(frozen=True)
class Section:
    """A figure of the report: its anchor, title, caption and how to draw it."""

    anchor: str
    title: str
    caption: str
    draw: Callable[[duckdb.DuckDBPyConnection, set[str]], tuple[object, str] | data.Missing]


def _pr(con, available):
    inputs = data.matcher_pr(con, available)
    if isinstance(inputs, data.Missing):
        return inputs
    return plots.precision_recall(*inputs), "eval_matcher_pr_curve, eval_matcher_metrics"


def _calibration(con, available):
    rows = data.matcher_test_scores(con, available)
    if isinstance(rows, data.Missing):
        return rows
    labels, scores = rows["is_match"].to_numpy(), rows["match_score"].to_numpy()
    bins = data.calibration_bins(labels, scores)
    brier = float(brier_score_loss(labels, np.clip(scores, 0, 1)))
    return plots.calibration(bins, brier), (
        f"ml_matcher_scores joined to stg_match_labels (split test, {len(rows)} pairs)"
    )


def _histograms(con, available):
    rows = data.decision_scores(con, available)
    if isinstance(rows, data.Missing):
        return rows
    return plots.score_histograms(rows), "fct_offer_matches, ml_matcher_scores"


def _ndcg(con, available):
    frame = data.ndcg_by_segment(con, available)
    if isinstance(frame, data.Missing):
        return frame
    return plots.ndcg_by_segment(frame), "eval_ranking_user_metrics, int_recs_target_users"


def _simple(reader, plot, source: str):
    def draw(con, available):
        frame = reader(con, available)
        return frame if isinstance(frame, data.Missing) else (plot(frame), source)

    return draw


SECTIONS = (
    Section(
        "matcher-pr",
        "Matcher: precision-recall on test labels",
        "Precision against recall as the threshold falls, on the test labels (never used in "
        "training or promotion); the points are the matcher at its threshold and the title "
        "TF-IDF baseline at its own F1-best threshold, with F1 and average precision (AP).",
        _pr,
    ),
    Section(
        "matcher-calibration",
        "Matcher: calibration on test labels",
        "Share of labelled matches against the mean calibrated match_score in ten equal-width "
        "score bins (empty bins left out; the number is the labelled pairs in the bin). "
        "Labelled pairs are the true pair plus hard negatives, so most bins are near 0 or 1.",
        _calibration,
    ),
    Section(
        "decision-scores",
        "Matcher: score of the decided product by decision",
        "Every offer's final decision (override, exact GTIN or model) against the match_score "
        "of its product (log scale). A decision on the other side of the threshold from its "
        "score is an override or an exact GTIN match; review starts at var match_review_floor.",
        _histograms,
    ),
    Section(
        "ndcg-by-segment",
        "Ranker: NDCG@K by user segment against the baselines",
        "Mean NDCG@K on the time holdout of the served ranker and the two baselines of the "
        "same build (co-visitation alone, popularity), per user segment, with 95% percentile "
        "bootstrap intervals over the segment's evaluated users (1,000 resamples, fixed "
        "seed). Every other retrieval source alone is in eval_ranking_metrics.",
        _ndcg,
    ),
    Section(
        "retrieval-recall",
        "Retrieval: recall per source",
        "Share of the holdout's relevant items that each retrieval source (and all of them "
        "together, all_candidates) puts among a user's candidates: the ceiling of what the "
        "ranker can find. No interval: the table keeps totals, not per-user counts.",
        _simple(data.retrieval_recall, plots.retrieval_recall, "eval_retrieval_recall"),
    ),
    Section(
        "experiments",
        "Experiments: relative lift with 95% intervals and decisions",
        "Each treatment variant's relative lift against control on every metric with its 95% "
        "interval (unadjusted), coloured by the variant's decision. The diamond is the primary "
        "metric; the decision rests on its CUPED-adjusted, Holm-corrected p-value and the "
        "guardrails (decision_reason in fct_experiment_results).",
        _simple(data.experiment_lifts, plots.experiment_forest, "fct_experiment_results"),
    ),
    Section(
        "drift",
        "Monitoring: feature and score drift (PSI)",
        "PSI of every monitored feature and score between the champion's training data and "
        "the latest scoring window. The build keeps only the latest window (mon_feature_drift "
        "is rebuilt each time), so there is one column per model, not a history of windows.",
        _simple(data.drift, plots.drift_heatmap, "mon_feature_drift"),
    ),
    Section(
        "registry",
        "Registry: versions over time",
        "Each registered version's promotion metric on its holdout, promoted or not; the "
        "champion is ringed. A build registers a version only when code, parameters or "
        "training data change, so a fresh demo has one version per model.",
        _simple(data.registry, plots.registry_history, "mon_model_registry"),
    ),
)


def svg(figure) -> str:
    """The figure as an inline <svg> element (no XML header, DOCTYPE or metadata)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(figure)
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    return re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)


def _headline_html(sections: list[Headline]) -> str:
    parts = []
    for section in sections:
        lines = "\n".join(html.escape(line) for line in section.lines)
        parts.append(f"<h3>{html.escape(section.title)}</h3>\n<pre>{lines}</pre>")
    return "\n".join(parts)


def render(con: duckdb.DuckDBPyConnection, title: str, source: str) -> str:
    """The whole page for the warehouse behind con."""
    available = data.tables(con)
    body = [f"<h1>{html.escape(title)}</h1>", f"<p>Read from <code>{html.escape(source)}</code>."]
    body.append(
        "<nav><ul>"
        + "".join(f'<li><a href="#{s.anchor}">{html.escape(s.title)}</a></li>' for s in SECTIONS)
        + "</ul></nav>"
    )
    body += ['<h2 id="headline">Headline</h2>', _headline_html(headline(con))]
    for section in SECTIONS:
        result = section.draw(con, available)
        if isinstance(result, data.Missing):
            content = f'<p class="missing">No figure: {html.escape(result.reason)}.</p>'
            tables = ""
        else:
            figure, tables = result
            content = svg(figure)
        caption = html.escape(section.caption)
        if tables:
            caption += f" <em>Source: {html.escape(tables)}.</em>"
        body.append(
            f'<figure id="{section.anchor}">\n<h2>{html.escape(section.title)}</h2>\n'
            f"{content}\n<figcaption>{caption}</figcaption>\n</figure>"
        )
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def write_page(out: str | Path, text: str) -> Path:
    """Write a page (report or docs), creating its folder; prints and returns its path."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(out.resolve())
    return out
