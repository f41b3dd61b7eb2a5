"""The scorers' one shape (ml_matcher_scores, ml_ranker_scores, ml_metadata_predictions):
the trainer's registry rows, the version the model's meta `pinned_version` pins (else the
champion), the input read in batches (each logging its progress), scored batch by batch and
streamed to the output. Here, not in registry.py: that module's source is part of every
model's version hash, and scoring glue is not training code."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pandas as pd
import pyarrow as pa

from catalog_ml.portable import frames_to_reader, to_output, to_pandas, to_pandas_batches
from catalog_ml.registry import pinned_version

# (input batches, registry rows, pinned version or None) -> output frames, one per batch
BatchScorer = Callable[[Iterable[pd.DataFrame], pd.DataFrame, str | None], Iterator[pd.DataFrame]]


def score_with_registry(
    session: Any,
    *,
    registry: Any,
    pinned: object,
    rows: Any,
    progress: str,
    score_batches: BatchScorer,
    schema: pa.Schema,
) -> Any:
    """A scorer model's output: `rows` (what dbt.ref gave) scored by the registry rows of
    `registry` (dbt.ref of the trainer) with the version `pinned` (the model's meta
    pinned_version as dbt renders it) or the champion. The dbt.ref and config calls stay in
    the model's file, where dbt reads them to draw the graph."""
    batches = to_pandas_batches(rows, progress=progress)
    scores = score_batches(batches, to_pandas(registry), pinned_version(pinned))
    return to_output(frames_to_reader(scores, schema), session)
