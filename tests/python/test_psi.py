"""The expectations of the dbt unit test on the PSI macro (models/monitoring/mon_feature_drift.yml,
test_psi_macro_on_a_hand_computed_fixture) recomputed independently with numpy: cut points by
numpy.quantile (linear), right-closed bins by numpy.searchsorted, nulls a bin of their own,
empty bins at epsilon. One value is also checked against the hand computation in the YAML."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import yaml

YAML = Path(__file__).resolve().parents[2] / "models/monitoring/mon_feature_drift.yml"
EPSILON = 0.0001


def unit_test() -> dict:
    tests = yaml.safe_load(YAML.read_text())["unit_tests"]
    (test,) = [t for t in tests if t["name"] == "test_psi_macro_on_a_hand_computed_fixture"]
    return test


def numpy_psi(reference: list, window: list, bins: int, epsilon: float = EPSILON) -> float:
    ref = np.array([np.nan if v is None else v for v in reference], dtype=float)
    win = np.array([np.nan if v is None else v for v in window], dtype=float)
    values = ref[~np.isnan(ref)]
    edges = np.quantile(values, np.arange(1, bins) / bins) if len(values) else np.array([])

    def shares(x: np.ndarray) -> np.ndarray:
        index = np.where(np.isnan(x), 0, 1 + np.searchsorted(edges, np.nan_to_num(x), "left"))
        counts = np.bincount(index, minlength=bins + 1) / len(x)
        return np.where(counts == 0, epsilon, counts)

    r, w = shares(ref), shares(win)
    return float(np.sum((w - r) * np.log(w / r)))


def test_unit_test_expectations_match_numpy():
    test = unit_test()
    bins = test["overrides"]["vars"]["drift_psi_bins"]
    (inputs,) = (
        g["rows"] for g in test["given"] if g["input"] == "ref('mon_feature_drift_inputs')"
    )
    checked = 0
    for expected in test["expect"]["rows"]:
        rows = [r for r in inputs if r["feature_name"] == expected["feature_name"]]
        reference = [r["observed_value"] for r in rows if r["population"] == "reference"]
        window = [r["observed_value"] for r in rows if r["population"] == "window"]
        assert expected["reference_rows"] == len(reference)
        assert expected["window_rows"] == len(window)
        if expected["psi"] is None:
            assert not reference or not window
            continue
        assert expected["psi"] == pytest.approx(numpy_psi(reference, window, bins), abs=1e-6)
        checked += 1
    assert checked >= 3


def test_binary_feature_by_hand():
    # reference 0,0,1,1,1,1 and window 0,0,0,0,0,1 with 4 bins: cut points 0.25, 1, 1, so 0
    # falls in bin 1 and 1 in bin 2; PSI = (5/6 - 2/6) ln(5/2) + (1/6 - 4/6) ln(1/4)
    by_hand = 0.5 * math.log(2.5) + 0.5 * math.log(4)
    assert numpy_psi([0, 0, 1, 1, 1, 1], [0, 0, 0, 0, 0, 1], 4) == pytest.approx(by_hand)
    assert by_hand == pytest.approx(1.151293, abs=1e-6)


def test_identical_populations_have_zero_psi_and_a_null_feature_is_drift():
    assert numpy_psi([1, 2, 3, 4], [4, 3, 2, 1], 4) == pytest.approx(0.0)
    assert numpy_psi([1, 2, 3, 4], [None, None], 4) > 0.25
