"""Model registry: versions, champion/challenger promotion and model (de)serialisation.

Every training run of a model (the matcher, the ranker, metadata inference) produces one
registry row through `register`, the one promotion path of every trainer: a version that
hashes this module, the trainer's module, the parameters and the training data
(versioning.model_version), its metrics, its feature list and the serialised model. The first version of a model becomes champion; a
later one replaces the champion only if it wins on the same holdout, the champion re-scored
now, by more than the noise: a paired bootstrap over the holdout's independent units (users,
offers) gives an interval of the difference, and the challenger is promoted only when its
lower bound is above `margin` and the holdout has at least `min_units` units. Scoring models
load the champion, or a version pinned by a var.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import xgboost as xgb

from catalog_ml import versioning

REGISTRY_COLUMNS = [
    "model_name",
    "model_version",
    "trained_at",
    "params_json",
    "feature_names_json",
    "training_rows",
    "holdout_metric_name",
    "holdout_metric",
    "metrics_json",
    "previous_champion_version",
    "previous_champion_holdout_metric",
    "is_promoted",
    "promotion_reason",
    "model_json",
]


REGISTRY_DTYPES = {
    **dict.fromkeys(REGISTRY_COLUMNS, "string"),
    "trained_at": "datetime64[us]",
    "training_rows": "int64",
    "holdout_metric": "float64",
    "previous_champion_holdout_metric": "float64",
    "is_promoted": "bool",
}


def empty_registry() -> pd.DataFrame:
    """A registry frame with no rows and the registry's column types."""
    return pd.DataFrame(columns=REGISTRY_COLUMNS).astype(REGISTRY_DTYPES)


@dataclass(frozen=True)
class RegistryEntry:
    """One training run of one model, as stored in the registry."""

    model_name: str
    model_version: str
    trained_at: datetime
    params_json: str
    feature_names_json: str
    training_rows: int
    holdout_metric_name: str
    holdout_metric: float
    metrics_json: str
    previous_champion_version: str | None
    previous_champion_holdout_metric: float | None
    is_promoted: bool
    promotion_reason: str
    model_json: str

    def to_frame(self) -> pd.DataFrame:
        """One row with explicit types, so a null (no previous champion) is still typed and
        later versions append to the same table."""
        frame = pd.DataFrame([asdict(self)], columns=REGISTRY_COLUMNS)
        return frame.astype(REGISTRY_DTYPES)


# Promotion: a paired percentile bootstrap over holdout units, fixed seed, so the same
# challenger, champion and holdout always give the same decision.
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_CONFIDENCE = 0.95
BOOTSTRAP_SEED = 20241


@dataclass(frozen=True)
class Comparison:
    """Challenger vs champion on one holdout: both metrics on the whole holdout, and the
    paired bootstrap interval of the difference (challenger - champion) over its units."""

    challenger_metric: float
    champion_metric: float
    difference: float
    difference_low: float
    difference_high: float
    units: int
    resamples: int = BOOTSTRAP_RESAMPLES
    confidence: float = BOOTSTRAP_CONFIDENCE
    seed: int = BOOTSTRAP_SEED

    def to_metrics(self) -> dict[str, float | int]:
        """Flat keys for a registry row's metrics_json."""
        return {
            "promotion_challenger_metric": self.challenger_metric,
            "promotion_champion_metric": self.champion_metric,
            "promotion_difference": self.difference,
            "promotion_difference_low": self.difference_low,
            "promotion_difference_high": self.difference_high,
            "promotion_holdout_units": self.units,
            "promotion_bootstrap_resamples": self.resamples,
            "promotion_bootstrap_confidence": self.confidence,
            "promotion_bootstrap_seed": self.seed,
        }


def bootstrap_weights(
    units: int, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED
) -> np.ndarray:
    """resamples x units: how often each unit is drawn in each resample (n draws with
    replacement out of n units)."""
    rng = np.random.default_rng(seed)
    return rng.multinomial(units, np.full(units, 1.0 / units), size=resamples).astype("float64")


def paired_bootstrap(
    metrics: Callable[[np.ndarray], tuple[float, float]],
    units: int,
    resamples: int = BOOTSTRAP_RESAMPLES,
    confidence: float = BOOTSTRAP_CONFIDENCE,
    seed: int = BOOTSTRAP_SEED,
) -> Comparison:
    """Paired percentile bootstrap of challenger - champion over `units` independent holdout
    units. `metrics(weights)` returns (challenger, champion) computed on the holdout with
    each unit counted `weights[unit]` times: both models see the same resample, which is
    what makes the comparison paired. weights of ones is the holdout itself."""
    if units < 1:
        raise ValueError("paired_bootstrap needs at least one holdout unit")
    challenger, champion = metrics(np.ones(units))
    differences = np.array(
        [np.subtract(*metrics(w)) for w in bootstrap_weights(units, resamples, seed)]
    )
    tail = (1 - confidence) / 2
    # nan-aware: a resample can leave a metric undefined (no positive label drawn)
    low, high = np.nanquantile(differences, [tail, 1 - tail])
    return Comparison(
        challenger_metric=float(challenger),
        champion_metric=float(champion),
        difference=float(challenger - champion),
        difference_low=float(low),
        difference_high=float(high),
        units=units,
        resamples=resamples,
        confidence=confidence,
        seed=seed,
    )


def paired_bootstrap_means(
    challenger: Sequence[float] | np.ndarray,
    champion: Sequence[float] | np.ndarray,
    units: Sequence[Any] | np.ndarray | None = None,
    resamples: int = BOOTSTRAP_RESAMPLES,
    confidence: float = BOOTSTRAP_CONFIDENCE,
    seed: int = BOOTSTRAP_SEED,
) -> Comparison:
    """paired_bootstrap for a metric that is a mean of values (per-query NDCG): the two
    arrays hold each value under the challenger and under the champion. `units` names the
    independent unit of each value (a user with queries at several cutoffs): units are
    resampled, each with all its values; without it every value is its own unit."""
    challenger_values = np.asarray(challenger, dtype="float64")
    champion_values = np.asarray(champion, dtype="float64")
    if challenger_values.shape != champion_values.shape:
        raise ValueError("paired values must have one challenger and one champion value each")
    unit_of_value, unit_names = pd.factorize(
        pd.Series(np.arange(len(challenger_values)) if units is None else list(units)),
        sort=True,
    )

    def metrics(unit_weights: np.ndarray) -> tuple[float, float]:
        weights = unit_weights[unit_of_value]
        total = weights.sum()
        return (
            float(weights @ challenger_values / total),
            float(weights @ champion_values / total),
        )

    return paired_bootstrap(
        metrics, len(unit_names), resamples=resamples, confidence=confidence, seed=seed
    )


def promotion_rule(margin: float, min_units: int) -> dict[str, float | int]:
    """The rule a version was judged by, for its metrics_json (the registry test re-checks it)."""
    return {"promotion_margin": float(margin), "promotion_min_holdout_units": int(min_units)}


def metrics_json(metrics: Mapping[str, Any]) -> str:
    """A registry row's metrics as JSON text, keys sorted; NaN and infinities as null, so
    every warehouse's JSON parser reads it."""
    clean = {
        key: None if isinstance(value, float) and not math.isfinite(value) else value
        for key, value in metrics.items()
    }
    return json.dumps(clean, sort_keys=True, default=lambda value: value.item())


def decide_promotion(
    comparison: Comparison | None, margin: float, min_units: int = 0
) -> tuple[bool, str]:
    """Promote the first version (no champion: comparison None), or a challenger whose
    paired bootstrap interval of (challenger - champion) lies strictly above `margin`, on a
    holdout of at least `min_units` units. A tie at exactly the margin is not a win."""
    if comparison is None:
        return True, "first version of this model"
    c = comparison
    interval = (
        f"difference {c.difference:+.4f} ({c.challenger_metric:.4f} vs champion "
        f"{c.champion_metric:.4f} re-scored), {c.confidence:.0%} paired bootstrap interval "
        f"[{c.difference_low:+.4f}, {c.difference_high:+.4f}] over {c.units} holdout units"
    )
    if c.units < min_units:
        return False, f"holdout too small to compare: {c.units} units < {min_units}; {interval}"
    if c.difference_low > margin and c.difference > margin:
        return True, f"beats champion: {interval}, lower bound > margin {margin}"
    return (
        False,
        f"does not beat champion by more than noise: {interval}, lower bound <= margin {margin}",
    )


@dataclass(frozen=True)
class Trained:
    """What a trainer fitted, for its registry row: `model`, what the trainer's compare needs
    of it (the fitted model, or its holdout values); the model as text; the parameters and
    features it records; its holdout metric (and how many independent units the holdout
    has) and its other metrics."""

    model: Any
    model_json: str
    params: Mapping[str, Any]
    features: Sequence[str]
    training_rows: int
    holdout_metric_name: str
    holdout_metric: float
    holdout_units: int
    metrics: Mapping[str, Any]


def register(
    trainer: ModuleType,
    hashed: tuple[Mapping[str, Any], pd.DataFrame],
    existing: pd.DataFrame | None,
    fit: Callable[[], Trained | None],
    compare: Callable[[Trained, pd.Series], Comparison],
    margin: float,
    min_units: int = 0,
) -> pd.DataFrame:
    """The one promotion path of every trainer: the registry row a training run appends.

    The version hashes this module and the trainer's (`trainer`, whose MODEL_NAME names the
    model), the parameters and the training rows (`hashed`). Nothing is appended when that
    version is registered already, or when `fit` returns None (too little data). Otherwise
    the champion, if any, is re-scored now on the challenger's holdout (`compare`) and
    decide_promotion judges the paired bootstrap interval against `margin` and `min_units`.
    """
    model_name = trainer.MODEL_NAME
    existing = existing if existing is not None else empty_registry()
    params, rows = hashed
    version = versioning.model_version([sys.modules[__name__], versioning, trainer], params, rows)
    if version in set(existing.loc[existing["model_name"] == model_name, "model_version"]):
        return empty_registry()
    trained = fit()
    if trained is None:
        return empty_registry()
    champion = current_champion(existing, model_name)
    comparison = None if champion is None else compare(trained, champion)
    metrics = {
        **trained.metrics,
        **({} if comparison is None else comparison.to_metrics()),
        "promotion_holdout_units": int(trained.holdout_units),
        **promotion_rule(margin, min_units),
    }
    promoted, reason = decide_promotion(comparison, margin, min_units)
    return RegistryEntry(
        model_name=model_name,
        model_version=version,
        trained_at=utc_now(),
        params_json=json.dumps(dict(trained.params), sort_keys=True, default=str),
        feature_names_json=json.dumps(list(trained.features)),
        training_rows=int(trained.training_rows),
        holdout_metric_name=trained.holdout_metric_name,
        holdout_metric=float(trained.holdout_metric),
        metrics_json=metrics_json(metrics),
        previous_champion_version=None if champion is None else str(champion["model_version"]),
        previous_champion_holdout_metric=None if comparison is None else comparison.champion_metric,
        is_promoted=promoted,
        promotion_reason=reason,
        model_json=trained.model_json,
    ).to_frame()


def pinned_version(value: object) -> str | None:
    """A pin as dbt renders a var into config (None, '', 'None' when unset) -> version or None."""
    return (
        None if value is None or str(value).strip() in {"", "None", "none", "null"} else str(value)
    )


def current_champion(
    registry: pd.DataFrame, model_name: str, pinned_version: str | None = None
) -> pd.Series | None:
    """The registry row scoring should use: the pinned version, else the latest promoted one.

    Raises ValueError when a pinned version is not in the registry (a rollback to a version
    that does not exist must not silently score with another).
    """
    rows = registry[registry["model_name"] == model_name]
    if pinned_version:
        pinned = rows[rows["model_version"] == pinned_version]
        if pinned.empty:
            known = ", ".join(rows["model_version"].tolist()) or "none"
            raise ValueError(
                f"model registry: pinned version {pinned_version!r} of {model_name!r} "
                f"is not registered (known versions: {known})"
            )
        return pinned.iloc[0]
    # latest by trained_at, then version: the order mon_model_registry marks the champion by
    promoted = rows[rows["is_promoted"].astype(bool)].sort_values(["trained_at", "model_version"])
    return None if promoted.empty else promoted.iloc[-1]


def serialize_booster(booster: xgb.Booster) -> str:
    """An XGBoost model as JSON text, storable in any warehouse's text column."""
    return bytes(booster.save_raw("json")).decode()


def load_booster(model_json: str) -> xgb.Booster:
    booster = xgb.Booster()
    booster.load_model(bytearray(model_json.encode()))
    return booster


def utc_now() -> datetime:
    """Training time, naive UTC (what both warehouses store as TIMESTAMP_NTZ)."""
    return datetime.now(UTC).replace(tzinfo=None)
