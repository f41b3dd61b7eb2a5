"""The report's figures (matplotlib, Agg backend): DataFrames in, a Figure out. Pure, so they
are tested without a warehouse; catalog_ml.report.page turns each into inline SVG."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # no display: figures are only written to SVG

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure

# Colour per decision or status; anything else is grey.
COLOURS = {
    "matched": "#2a9d8f",
    "review": "#e9c46a",
    "no_match": "#e76f51",
    "ship": "#2a9d8f",
    "inconclusive": "#8d99ae",
    "do_not_ship": "#e76f51",
    "blocked_by_guardrail": "#9d0208",
    "pass": "#2a9d8f",
    "warn": "#e9c46a",
    "error": "#e76f51",
}
GREY = "#6c757d"
INVALID = "#343a40"  # every invalid_* experiment decision


def colour_of(name: str) -> str:
    return INVALID if str(name).startswith("invalid") else COLOURS.get(name, GREY)


def _figure(width: float = 6.4, height: float = 4.0) -> tuple[Figure, plt.Axes]:
    figure, axes = plt.subplots(figsize=(width, height), layout="constrained")
    axes.grid(alpha=0.3)
    return figure, axes


def precision_recall(curve: pd.DataFrame, points: pd.DataFrame) -> Figure:
    """The matcher's precision-recall curve on test labels, its operating point and the
    baseline's (title TF-IDF at its own F1-best threshold)."""
    figure, axes = _figure()
    axes.step(curve["recall"], curve["precision"], where="post", label="matcher (test labels)")
    for _, row in points.iterrows():
        axes.scatter(row["recall"], row["precision"], zorder=3, s=40)
        axes.annotate(
            f"{row['evaluation']}\nF1 {row['f1']:.3f}, AP {row['average_precision']:.3f}",
            (row["recall"], row["precision"]),
            textcoords="offset points",
            xytext=(-10, -28),
            ha="right",
            fontsize=8,
        )
    axes.set(xlabel="recall", ylabel="precision", xlim=(0, 1.02), ylim=(0, 1.05))
    axes.legend(loc="lower left")
    return figure


def calibration(bins: pd.DataFrame, brier: float) -> Figure:
    """Reliability diagram: share of matches against mean calibrated score per score bin."""
    figure, axes = _figure(5.6, 4.4)
    axes.plot([0, 1], [0, 1], linestyle="--", color=GREY, label="perfect calibration")
    axes.plot(bins["mean_score"], bins["match_share"], marker="o", label="matcher")
    for _, row in bins.iterrows():
        axes.annotate(
            f"{int(row['pairs'])}",
            (row["mean_score"], row["match_share"]),
            textcoords="offset points",
            xytext=(4, -10),
            fontsize=7,
        )
    axes.set(
        xlabel="mean match_score in bin",
        ylabel="share of labelled matches",
        xlim=(0, 1),
        ylim=(0, 1.05),
        title=f"Brier score {brier:.4f} (labels per bin annotated)",
    )
    axes.legend(loc="upper left")
    return figure


def score_histograms(rows: pd.DataFrame) -> Figure:
    """Distribution of match_score by the offer's final decision, with the threshold."""
    figure, axes = _figure()
    edges = np.linspace(0, 1, 41)
    for decision, group in rows.groupby("decision", sort=True):
        axes.hist(
            group["match_score"],
            bins=edges,
            alpha=0.6,
            label=f"{decision} ({len(group)})",
            color=colour_of(decision),
        )
    threshold = rows["match_threshold"].dropna()
    if not threshold.empty:
        axes.axvline(float(threshold.iloc[0]), color="black", linestyle="--", label="threshold")
    axes.set(xlabel="match_score of the decided product", ylabel="offers", yscale="log")
    axes.legend()
    return figure


def ndcg_by_segment(frame: pd.DataFrame) -> Figure:
    """Mean NDCG@K per user segment and method with 95% bootstrap intervals."""
    segments = sorted(frame["user_segment"].unique(), key=lambda s: (s != "all", s))
    methods = list(dict.fromkeys(frame["method"]))
    figure, axes = _figure(7.2, 4.2)
    width = 0.8 / max(len(methods), 1)
    for position, method in enumerate(methods):
        rows = frame[frame["method"] == method].set_index("user_segment").reindex(segments)
        x = np.arange(len(segments)) + (position - (len(methods) - 1) / 2) * width
        errors = np.vstack([rows["ndcg"] - rows["low"], rows["high"] - rows["ndcg"]])
        axes.errorbar(x, rows["ndcg"], yerr=errors, fmt="o", capsize=3, label=method)
    labels = [
        f"{s}\n({int(frame[frame['user_segment'] == s]['users'].max())} users)" for s in segments
    ]
    axes.set_xticks(np.arange(len(segments)), labels)
    axes.set(ylabel=f"NDCG@{frame.attrs.get('k', 'K')}", xlabel="user segment")
    axes.legend()
    return figure


def retrieval_recall(frame: pd.DataFrame) -> Figure:
    """Share of the holdout's relevant items each retrieval source puts in the candidates."""
    frame = frame.sort_values(["recall", "source_name"])
    figure, axes = _figure(6.4, 0.5 + 0.4 * len(frame))
    bars = axes.barh(frame["source_name"], frame["recall"], color="#457b9d")
    labels = [
        f"{r:.3f} ({int(a)}/{int(b)}, {c:.0f} per user)"
        for r, a, b, c in frame[
            ["recall", "relevant_retrieved", "relevant_items", "candidates_per_user"]
        ].itertuples(index=False)
    ]
    axes.bar_label(bars, labels, fontsize=8, padding=3)
    axes.set(xlabel="retrieval recall (relevant items retrieved / relevant items)", xlim=(0, 1.3))
    return figure


def experiment_forest(frame: pd.DataFrame) -> Figure:
    """Relative lift of every variant and metric with its 95% interval, coloured by the
    variant's decision; variants without an estimate are listed with their decision."""
    frame = frame.reset_index(drop=True)
    figure, axes = _figure(7.6, 0.6 + 0.28 * len(frame))
    y = np.arange(len(frame))[::-1]
    for position, row in zip(y, frame.itertuples(index=False), strict=True):
        colour = colour_of(row.decision)
        if pd.isna(row.relative_lift):
            axes.text(0, position, f"no estimate: {row.decision}", va="center", fontsize=7)
            continue
        axes.plot([row.relative_ci_low, row.relative_ci_high], [position, position], color=colour)
        marker = "D" if row.metric_role == "primary" else "o"
        axes.plot(row.relative_lift, position, marker=marker, color=colour)
    axes.axvline(0, color="black", linewidth=0.8)
    axes.set_ylim(-0.7, len(frame) - 0.3)
    labels = [
        f"{r.experiment_id} {r.variant} · {r.metric_name} ({r.metric_role})"
        for r in frame.itertuples(index=False)
    ]
    axes.set_yticks(y, labels, fontsize=7)
    axes.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    axes.set(xlabel="relative lift against control (95% interval); diamond = primary metric")
    for decision in dict.fromkeys(frame["decision"]):
        axes.plot([], [], color=colour_of(decision), label=decision)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=7)
    return figure


def drift_heatmap(frame: pd.DataFrame, warn: float = 0.1, error: float = 0.25) -> Figure:
    """PSI per feature (rows) and model window (columns), coloured by the warn/error bands."""
    frame = frame.assign(row=frame["feature_name"] + " (" + frame["value_kind"] + ")")
    table = frame.pivot_table(index="row", columns="model_name", values="psi", aggfunc="max")
    figure, axes = _figure(6.4, 0.8 + 0.2 * len(table))
    axes.grid(False)
    cmap = ListedColormap([COLOURS["pass"], COLOURS["warn"], COLOURS["error"]])
    norm = BoundaryNorm([0, warn, error, max(error * 2, float(np.nanmax(table.values)))], 3)
    masked = np.ma.masked_invalid(table.to_numpy(dtype=float))
    axes.imshow(masked, cmap=cmap, norm=norm, aspect="auto")
    for (i, j), value in np.ndenumerate(table.to_numpy(dtype=float)):
        if not np.isnan(value):
            axes.text(j, i, f"{value:.3f}", ha="center", va="center", fontsize=6)
    axes.set_yticks(np.arange(len(table)), table.index, fontsize=6)
    axes.set_xticks(
        np.arange(len(table.columns)), [f"{m}\nlatest window vs training" for m in table.columns]
    )
    axes.set_title(f"PSI: pass < {warn} <= warn < {error} <= error", fontsize=9)
    return figure


def registry_history(frame: pd.DataFrame) -> Figure:
    """Each model's holdout metric per registered version over time; champion ringed."""
    models = sorted(frame["model_name"].unique())
    figure, all_axes = plt.subplots(
        1, len(models), figsize=(4.0 * len(models), 3.6), layout="constrained", squeeze=False
    )
    for axes, model in zip(all_axes[0], models, strict=True):
        rows = frame[frame["model_name"] == model].sort_values("trained_at")
        axes.grid(alpha=0.3)
        axes.plot(rows["trained_at"], rows["holdout_metric"], color=GREY, linewidth=0.8)
        promoted = rows["is_promoted"].fillna(False).astype(bool)
        axes.scatter(
            rows["trained_at"][promoted], rows["holdout_metric"][promoted], label="promoted"
        )
        axes.scatter(
            rows["trained_at"][~promoted],
            rows["holdout_metric"][~promoted],
            marker="x",
            label="not promoted",
        )
        champion = rows[rows["is_champion"].fillna(False).astype(bool)]
        axes.scatter(
            champion["trained_at"],
            champion["holdout_metric"],
            s=160,
            facecolors="none",
            edgecolors="black",
            label="champion",
        )
        axes.set_title(f"{model} ({len(rows)} versions)", fontsize=9)
        axes.set_ylabel(str(rows["holdout_metric_name"].iloc[0]), fontsize=8)
        axes.tick_params(axis="x", labelrotation=30, labelsize=7)
        axes.legend(fontsize=7)
    return figure
