"""The headline figures of a build, read from its warehouse: what `make demo` ends with and
what the report (python -m catalog_ml.report) opens with.

- matcher: F1 and average precision on the test labels against the title TF-IDF baseline
  (eval_matcher_metrics);
- ranker: NDCG@K of the served ranker on the time holdout against each baseline of the same
  build (eval_ranking_metrics, segment 'all'; a baseline is every method but the ranker's own
  lists, as in the recommendations benchmark);
- experiments: each variant's decision with its primary metric's relative lift, and the
  CUPED-adjusted absolute lift, 95% interval and Holm-corrected p-value the decision rests
  on (fct_experiment_results);
- health: checks by status and every check that is not 'pass' (mon_health_summary).

A table the build did not make (a capability without its input tables) gives a line saying
so, never an error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import pandas as pd

SERVED = "ranker"
MATCHER_EVALUATION = "matcher_test_labels"
MATCHER_BASELINE = "baseline_title_tfidf"


@dataclass
class Headline:
    """One section of the headline: a title and its lines (plain text)."""

    title: str
    lines: list[str] = field(default_factory=list)


def _number(value: object, digits: int = 3) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{float(value):.{digits}f}"


def _matcher(section: Headline, rows: pd.DataFrame) -> None:
    by_name = {row["evaluation"]: row for _, row in rows.iterrows()}
    for name, label in ((MATCHER_EVALUATION, "matcher"), (MATCHER_BASELINE, "baseline")):
        row = by_name.get(name)
        if row is None:
            section.lines.append(f"{label}: no rows ({name})")
            continue
        section.lines.append(
            f"{label:<9} F1 {_number(row['f1'])}  average precision "
            f"{_number(row['average_precision'])}  (precision {_number(row['precision'])}, "
            f"recall {_number(row['recall'])}, {int(row['evaluated_rows'])} labelled pairs; "
            f"{name})"
        )


def _ranker(section: Headline, rows: pd.DataFrame) -> None:
    section.title = f"Ranker (NDCG@{int(rows['k'].iloc[0])} on the time holdout, all users)"
    served = rows[rows["method"] == SERVED]
    if served.empty:
        section.lines.append(f"no '{SERVED}' method in eval_ranking_metrics")
        return
    value = float(served["ndcg_at_k"].iloc[0])
    section.lines.append(
        f"served ranker {_number(value)} ({int(served['evaluated_users'].iloc[0])} users)"
    )
    for _, row in rows[~rows["method"].str.startswith(SERVED)].iterrows():
        difference = value - float(row["ndcg_at_k"])
        section.lines.append(
            f"  vs {row['method']:<22} {_number(row['ndcg_at_k'])}  (ranker {difference:+.3f})"
        )


def _experiments(section: Headline, rows: pd.DataFrame) -> None:
    for _, row in rows.iterrows():
        estimate = (
            "no estimate"
            if pd.isna(row["cuped_absolute_lift"])
            else f"{row['relative_lift']:+.1%}; CUPED {row['cuped_absolute_lift']:+.4f} "
            f"[{row['cuped_ci_low']:+.4f}, {row['cuped_ci_high']:+.4f}], "
            f"p {row['cuped_p_value_holm']:.2g}"
        )
        section.lines.append(
            f"{row['experiment_id']} {row['experiment_name']} / {row['variant']}: "
            f"{row['decision']} ({row['metric_name']} {estimate})"
        )


def _health(section: Headline, rows: pd.DataFrame) -> None:
    counts = rows["status"].value_counts()
    section.lines.append(", ".join(f"{counts[s]} {s}" for s in sorted(counts.index)))
    for _, row in rows[rows["status"] != "pass"].iterrows():
        section.lines.append(
            f"  {row['status']}: {row['check_name']} {row['subject']}: {row['message']}"
        )


@dataclass(frozen=True)
class Source:
    """A headline section: its title, the table and query it reads, what it says when the
    build did not make the table (or it is empty), and how it writes its lines."""

    title: str
    table: str
    sql: str
    absent: str
    write: Callable[[Headline, pd.DataFrame], None]


SOURCES = (
    Source(
        "Matcher (test labels)",
        "eval_matcher_metrics",
        "select * from eval_matcher_metrics",
        "not applicable: no matcher evaluation in this build",
        _matcher,
    ),
    Source(
        "Ranker",
        "eval_ranking_metrics",
        "select method, k, evaluated_users, ndcg_at_k from eval_ranking_metrics"
        " where user_segment = 'all' order by ndcg_at_k desc, method",
        "not applicable: no ranking evaluation in this build",
        _ranker,
    ),
    Source(
        "Experiments (primary metric: relative lift; CUPED lift, 95% interval, Holm p-value)",
        "fct_experiment_results",
        "select experiment_id, experiment_name, variant, metric_name, relative_lift,"
        " cuped_absolute_lift, cuped_ci_low, cuped_ci_high, cuped_p_value_holm, decision"
        " from fct_experiment_results"
        " where not is_control and metric_role = 'primary' order by experiment_id, variant",
        "not applicable: no experiment results in this build",
        _experiments,
    ),
    Source(
        "Health (mon_health_summary)",
        "mon_health_summary",
        "select check_name, subject, status, message from mon_health_summary"
        " order by status, check_name, subject",
        "no health checks in this build",
        _health,
    ),
)


def section(con: duckdb.DuckDBPyConnection, source: Source) -> Headline:
    """One section from the warehouse behind con."""
    exists = con.execute(
        "select count(*) from information_schema.tables where lower(table_name) = ?",
        [source.table.lower()],
    ).fetchone()[0]
    rows = con.execute(source.sql).df() if exists else None
    if rows is None or rows.empty:
        return Headline(source.title, [source.absent])
    result = Headline(source.title)
    source.write(result, rows)
    return result


def headline(con: duckdb.DuckDBPyConnection) -> list[Headline]:
    """Every headline section, in the order a reader wants them."""
    return [section(con, source) for source in SOURCES]


def as_text(sections: list[Headline]) -> str:
    return "\n".join(
        "\n".join([part.title, *(f"  {line}" for line in part.lines)]) for part in sections
    )
