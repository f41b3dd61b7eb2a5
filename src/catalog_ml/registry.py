"""Model registry: versions, champion/challenger promotion and model (de)serialisation.

Every training run of a model (the matcher, the ranker, ...) produces one registry row:
a version that hashes the code, the parameters and the training data, its metrics, its
feature list and the serialised model. The first version of a model becomes champion; a
later one replaces the champion only if it beats it on the same holdout, scored now, by
at least `margin`. Scoring models load the champion, or a version pinned by a var.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import xgboost as xgb

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


def model_version(
    code: Sequence[ModuleType], params: Mapping[str, Any], training_data: pd.DataFrame
) -> str:
    """Hash of the training code (module sources), the parameters and the training rows.

    The rows are hashed as a multiset (row hashes sorted), so the same data read back from
    the warehouse in another order, as parallel scans do, gives the same version.
    """
    digest = hashlib.sha256()
    for module in code:
        digest.update(inspect.getsource(module).encode())
    digest.update(json.dumps(params, sort_keys=True, default=str).encode())
    digest.update(str(list(training_data.columns)).encode())
    rows = np.sort(pd.util.hash_pandas_object(training_data, index=False).to_numpy())
    digest.update(rows.tobytes())
    return digest.hexdigest()[:16]


def decide_promotion(
    challenger_metric: float, champion_metric: float | None, margin: float
) -> tuple[bool, str]:
    """Promote the first version, or a challenger that beats the champion by `margin`."""
    if champion_metric is None:
        return True, "first version of this model"
    if challenger_metric >= champion_metric + margin:
        return True, (
            f"beats champion on the holdout: {challenger_metric:.4f} >= "
            f"{champion_metric:.4f} + margin {margin}"
        )
    return False, (
        f"does not beat champion on the holdout by margin {margin}: "
        f"{challenger_metric:.4f} < {champion_metric:.4f} + {margin}"
    )


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
    promoted = rows[rows["is_promoted"].astype(bool)].sort_values("trained_at")
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
