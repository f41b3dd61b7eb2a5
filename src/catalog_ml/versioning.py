"""Model versions: a hash of the training code, the parameters and the training rows.

Floats are rounded to HASH_SIGNIFICANT_DIGITS before hashing and rows are hashed as a
multiset, so a rebuild's last-bit noise or another row order is the same version
(registry.register hashes every trainer's rows through model_version).
"""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

# Floats are hashed at this many significant digits, and |x| below HASH_ZERO as 0: a rebuild
# that sums the same numbers in another order (parallel aggregation) changes the last bits,
# not the version. (A value that sits exactly on a rounding edge can still flip; that is rare.)
HASH_SIGNIFICANT_DIGITS = 6
HASH_ZERO = 1e-9


def _rounded_floats(values: pd.Series, digits: int) -> pd.DataFrame:
    """A float column as exact integers (mantissa, exponent): x ~ mantissa * 10**exponent,
    the mantissa with `digits` digits. NaN stays NaN, infinities stay, |x| < HASH_ZERO is 0."""
    x = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    x = np.where(np.abs(x) < HASH_ZERO, 0.0, x)
    finite = np.isfinite(x) & (x != 0)
    exponent = np.zeros(len(x))
    with np.errstate(divide="ignore", invalid="ignore"):
        exponent[finite] = np.floor(np.log10(np.abs(x[finite]))) - (digits - 1)
        mantissa = np.where(finite, np.round(x / 10.0**exponent), x)
        # log10 can land one off near powers of ten: renormalise to exactly `digits` digits
        for _ in range(2):
            high = finite & (np.abs(mantissa) >= 10.0**digits)
            low = finite & (np.abs(mantissa) < 10.0 ** (digits - 1))
            exponent = exponent + high - low
            mantissa = np.where(finite, np.round(x / 10.0**exponent), mantissa)
    mantissa = np.where(np.isnan(mantissa), np.nan, mantissa + 0.0)  # one NaN, no -0.0
    return pd.DataFrame({"mantissa": mantissa, "exponent": exponent + 0.0})


def canonical_training_data(
    training_data: pd.DataFrame, digits: int = HASH_SIGNIFICANT_DIGITS
) -> pd.DataFrame:
    """The training rows as hashed: float columns rounded to `digits` significant digits
    (as exact integer pairs), every other column as it is."""
    parts = []
    for position, column in enumerate(training_data.columns):
        values = training_data.iloc[:, position]
        if pd.api.types.is_float_dtype(values.dtype):
            rounded = _rounded_floats(values, digits)
            rounded.columns = [f"{column}__mantissa", f"{column}__exponent"]
            parts.append(rounded)
        else:
            parts.append(values.reset_index(drop=True).to_frame(str(column)))
    return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=training_data.index)


def model_version(
    code: Sequence[ModuleType],
    params: Mapping[str, Any],
    training_data: pd.DataFrame,
    digits: int = HASH_SIGNIFICANT_DIGITS,
) -> str:
    """Hash of the training code (module sources), the parameters and the training rows.

    Floats are rounded to `digits` significant digits first (canonical_training_data), and
    the rows are hashed as a multiset (row hashes sorted), so the same data rebuilt with
    float noise in the last bits, or read back in another order, gives the same version.
    """
    digest = hashlib.sha256()
    for module in code:
        digest.update(inspect.getsource(module).encode())
    digest.update(json.dumps(params, sort_keys=True, default=str).encode())
    digest.update(str(list(training_data.columns)).encode())
    digest.update(f"significant digits {digits}".encode())
    canonical = canonical_training_data(training_data, digits)
    rows = np.sort(pd.util.hash_pandas_object(canonical, index=False).to_numpy())
    digest.update(rows.tobytes())
    return digest.hexdigest()[:16]
