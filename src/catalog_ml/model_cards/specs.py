"""What a card shows and where it reads it: the per-model queries (MODEL_SPECS), the card's
sections, and CardData, the one object the readers fill and the renderers read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

REGISTRY = "mon_model_registry"
DRIFT = "mon_feature_drift"
DRIFT_INPUTS = "mon_feature_drift_inputs"
# Reference quantiles shown as the drift baseline (the PSI bins are the reference's deciles).
BASELINE_QUANTILES = (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0)
# Column labels of the classification_metrics macro's output, shared by the matcher's tables.
CLASSIFICATION_LABELS = {
    "evaluated_rows": "rows",
    "positives": "positives",
    "precision": "precision",
    "recall": "recall",
    "f1": "F1",
    "average_precision": "average precision",
}


@dataclass(frozen=True)
class Query:
    """A query a card section runs, the tables it needs, and how to show its columns."""

    sql: str
    tables: tuple[str, ...]
    columns: Mapping[str, str] = field(default_factory=dict)  # column -> heading, in order


@dataclass(frozen=True)
class ModelSpec:
    """Where a model's card finds its training data and evaluations (besides the registry)."""

    # the dbt model holding its registry rows and its model_card meta: the registry's
    # trainer_model (macro ml_models) when a warehouse is read; tests/python/test_ml_models.py
    # keeps the two equal
    trainer: str
    training: Query  # one row: the training data window and size
    metrics_overall: Query
    metrics_by_segment: Query
    overall_note: str = ""
    segment_note: str = ""


MODEL_SPECS: dict[str, ModelSpec] = {
    "matcher": ModelSpec(
        trainer="ml_matcher_train",
        training=Query(
            """
            select
                min(labels.labeled_at) as labelled_from_at,
                max(labels.labeled_at) as labelled_to_at,
                count(*) as training_table_rows,
                sum(pairs.is_match) as positives,
                count(distinct pairs.offer_id) as offers
            from int_catalog_training_pairs as pairs
            left join stg_match_labels as labels
                on pairs.offer_id = labels.offer_id and pairs.product_id = labels.product_id
            where pairs.split = 'train'
            """,
            ("int_catalog_training_pairs", "stg_match_labels"),
            {
                "labelled_from_at": "first train label (labeled_at)",
                "labelled_to_at": "last train label (labeled_at)",
                "training_table_rows": "labelled train pairs (int_catalog_training_pairs)",
                "positives": "of which matches",
                "offers": "distinct offers",
            },
        ),
        metrics_overall=Query(
            "select * from eval_matcher_metrics order by evaluation",
            ("eval_matcher_metrics",),
            {
                "evaluation": "evaluation",
                "model_version": "version",
                "threshold": "threshold",
                **CLASSIFICATION_LABELS,
            },
        ),
        metrics_by_segment=Query(
            """
            select * from eval_matcher_segment_metrics
            where product_category != 'all'
            order by evaluated_rows desc, product_category
            """,
            ("eval_matcher_segment_metrics",),
            {
                "product_category": "product category",
                "model_version": "version",
                **CLASSIFICATION_LABELS,
            },
        ),
        overall_note=(
            "Test labels (never used in training or promotion), at the version's threshold; "
            "baseline_title_tfidf is one title similarity with its own F1-best threshold; "
            "end_to_end_ground_truth (demo only) scores the final decisions against every "
            "offer's true product."
        ),
        segment_note="The same test labels by the labelled product's top-level category.",
    ),
    "recs_ranker": ModelSpec(
        trainer="ml_ranker_train",
        training=Query(
            """
            select
                (select min(event_at) from int_recs_interactions_clean) as features_from_at,
                max(cutoffs.cutoff_at) as features_to_at,
                min(cutoffs.cutoff_at) as labels_from_at,
                max(cutoffs.label_end_at) as labels_to_at,
                count(distinct rows.cutoff_name) as training_cutoffs,
                count(*) as training_table_rows,
                sum(case when rows.label > 0 then 1 else 0 end) as positives,
                count(distinct rows.user_id) as users
            from int_recs_ranker_training_rows as rows
            inner join int_recs_cutoffs as cutoffs on rows.cutoff_name = cutoffs.cutoff_name
            """,
            ("int_recs_ranker_training_rows", "int_recs_cutoffs", "int_recs_interactions_clean"),
            {
                "features_from_at": "features: interactions from",
                "features_to_at": "features: up to each training cutoff, the latest",
                "training_cutoffs": "training cutoffs (one label window apart)",
                "labels_from_at": "labels: events from",
                "labels_to_at": "labels: events before",
                "training_table_rows": "candidate rows (int_recs_ranker_training_rows, incl. held-out users)",
                "positives": "of which relevant (label > 0)",
                "users": "users",
            },
        ),
        metrics_overall=Query(
            "select * from eval_ranking_metrics where user_segment = 'all' order by ndcg_at_k desc",
            ("eval_ranking_metrics",),
            {
                "method": "method",
                "k": "K",
                "evaluated_users": "users",
                "ndcg_at_k": "NDCG@K",
                "map_at_k": "MAP@K",
                "recall_at_k": "Recall@K",
                "precision_at_k": "Precision@K",
                "mrr": "MRR",
                "catalog_coverage": "coverage",
                "intra_list_diversity": "diversity",
                "popularity_bias": "popularity bias",
            },
        ),
        metrics_by_segment=Query(
            """
            select * from eval_ranking_metrics
            where user_segment != 'all'
            order by user_segment, ndcg_at_k desc
            """,
            ("eval_ranking_metrics",),
            {
                "user_segment": "user segment",
                "method": "method",
                "evaluated_users": "users",
                "ndcg_at_k": "NDCG@K",
                "map_at_k": "MAP@K",
                "recall_at_k": "Recall@K",
                "mrr": "MRR",
                "popularity_bias": "popularity bias",
            },
        ),
        overall_note=(
            "Time holdout (events after the evaluation cutoff). ranker is the served list "
            "(after re-ranking), ranker_before_reranking the model's own order; popularity "
            "and covisitation are baselines from the same build."
        ),
        segment_note="The same holdout by user segment (stg_users.segment): the fairness view.",
    ),
    "metadata": ModelSpec(
        trainer="ml_metadata_train",
        training=Query(
            """
            select
                count(*) as training_table_rows,
                count(category) as known_categories,
                count(brand) as known_brands,
                count(distinct category) as categories,
                count(distinct brand) as brands
            from int_catalog_metadata_training_rows
            """,
            ("int_catalog_metadata_training_rows",),
            {
                "training_table_rows": "products with a known value (incl. the held-out fifth)",
                "known_categories": "with a known category",
                "known_brands": "with a known brand",
                "categories": "distinct categories",
                "brands": "distinct brands",
            },
        ),
        metrics_overall=Query(
            "select * from eval_metadata_inference order by attribute",
            ("eval_metadata_inference",),
            {
                "attribute": "attribute",
                "evaluated_products": "held-out products",
                "accuracy": "accuracy",
                "share_above_bar": "share at or above the confidence bar",
                "accuracy_above_bar": "accuracy at or above the bar",
            },
        ),
        metrics_by_segment=Query(
            """
            select
                attribute,
                actual_value,
                max(model_version) as model_version,
                count(*) as evaluated_products,
                avg(case when predicted_value = actual_value then 1.0 else 0.0 end) as accuracy,
                avg(confidence) as mean_confidence
            from ml_metadata_predictions
            where is_out_of_fold
            group by attribute, actual_value
            order by evaluated_products desc, attribute, actual_value
            limit 20
            """,
            ("ml_metadata_predictions",),
            {
                "attribute": "attribute",
                "actual_value": "known value",
                "model_version": "version",
                "evaluated_products": "held-out products",
                "accuracy": "accuracy",
                "mean_confidence": "mean confidence",
            },
        ),
        overall_note=(
            "Held-out catalog products (a fixed fifth no version trains on), their known "
            "values predicted by the champion; the bar is var metadata_confidence_bar."
        ),
        segment_note="The same held-out products by known value, the 20 most frequent.",
    ),
}

SECTIONS = (
    "Intended use",
    "Training data",
    "Features",
    "Holdout metrics",
    "Drift baseline",
    "Known limits",
    "Version history",
)


@dataclass
class CardData:
    """Everything one card shows. A str in place of a DataFrame says why it is missing."""

    model_name: str
    versions: pd.DataFrame  # the model's registry rows
    trainer: str | None = None
    model_card_meta: Mapping[str, Any] | str = "no model_card meta"
    feature_descriptions: Mapping[str, str] = field(default_factory=dict)
    training: pd.DataFrame | str = "no training query for this model"
    training_columns: Mapping[str, str] = field(default_factory=dict)
    metrics_overall: pd.DataFrame | str = "no evaluation table for this model"
    metrics_overall_columns: Mapping[str, str] = field(default_factory=dict)
    metrics_by_segment: pd.DataFrame | str = "no segmented evaluation table for this model"
    metrics_by_segment_columns: Mapping[str, str] = field(default_factory=dict)
    drift: pd.DataFrame | str = "no drift table"
    overall_note: str = ""
    segment_note: str = ""
