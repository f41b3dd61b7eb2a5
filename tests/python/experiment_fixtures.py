"""Small synthetic experiments for the readout tests: the four inputs of
catalog_ml.experiments.readout, with planted effects per variant and metric."""

from __future__ import annotations

import numpy as np
import pandas as pd

ALPHA = 0.05
SRM_ALPHA = 0.001

DEFINITIONS = pd.DataFrame(
    {
        "metric_name": ["click_through_rate", "clicks_per_user", "hide_rate"],
        "statistical_test": ["two_proportion_z", "welch_t", "two_proportion_z"],
        "desired_direction": ["increase", "increase", "decrease"],
    }
)
BASE_RATE = {"click_through_rate": 0.1, "hide_rate": 0.02}


def arm(rng: np.random.Generator, n: int, metric: str, effect: float) -> pd.DataFrame:
    """Per-user numerator, denominator and their pre-period values for one variant. Rates:
    independent impressions; clicks_per_user: a persistent user level drives both periods
    (so CUPED removes most of the variance)."""
    if metric == "clicks_per_user":
        level = rng.gamma(2.0, 5.0, n)
        ones = np.ones(n)
        return pd.DataFrame(
            {
                "numerator": rng.poisson(level * (1 + effect)).astype(float),
                "denominator": ones,
                "numerator_pre": rng.poisson(level).astype(float),
                "denominator_pre": ones,
            }
        )
    impressions = rng.poisson(30, n) + 1
    rate = BASE_RATE[metric]
    return pd.DataFrame(
        {
            "numerator": rng.binomial(impressions, rate * (1 + effect)).astype(float),
            "denominator": impressions.astype(float),
            "numerator_pre": rng.binomial(20, rate, n).astype(float),
            "denominator_pre": 20.0,
        }
    )


def experiment(
    experiment_id: str,
    arms: dict[str, tuple[int, dict[str, float]]],
    primary: str = "click_through_rate",
    guardrails: str = "",
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """user_metrics, variants and experiments of one experiment. arms: variant ->
    (counted users, {metric: planted relative effect}); every metric named in any arm is
    read out for every user; the variant named control is the control, shares are equal."""
    rng = np.random.default_rng(seed)
    metrics = sorted({m for _, effects in arms.values() for m in effects})
    frames = []
    for variant, (n, effects) in arms.items():
        users = [f"{experiment_id}-{variant}-{i}" for i in range(n)]
        for metric in metrics:
            frames.append(
                arm(rng, n, metric, effects.get(metric, 0.0)).assign(
                    experiment_id=experiment_id, variant=variant, user_id=users, metric_name=metric
                )
            )
    variants = pd.DataFrame(
        {
            "experiment_id": experiment_id,
            "variant": list(arms),
            "expected_share": 1 / len(arms),
            "is_control": [v == "control" for v in arms],
        }
    )
    experiments = pd.DataFrame(
        {
            "experiment_id": [experiment_id],
            "primary_metric": [primary],
            "guardrail_metrics": [guardrails],
        }
    )
    user_metrics = pd.concat(frames, ignore_index=True) if frames else empty_user_metrics()
    return user_metrics, variants, experiments


def empty_user_metrics() -> pd.DataFrame:
    """No counted user, typed as the warehouse types int_experiment_user_metrics."""
    columns = {"experiment_id": "string", "variant": "string", "user_id": "string"}
    columns |= {"metric_name": "string", "numerator": "float64", "denominator": "float64"}
    columns |= {"numerator_pre": "float64", "denominator_pre": "float64"}
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})


def inputs(*experiments_: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> dict:
    """readout's keyword arguments for several experiments (alpha and srm_alpha included)."""
    user_metrics, variants, registry = (
        pd.concat([e[i] for e in experiments_], ignore_index=True) for i in range(3)
    )
    return {
        "user_metrics": user_metrics,
        "definitions": DEFINITIONS,
        "variants": variants,
        "experiments": registry,
        "alpha": ALPHA,
        "srm_alpha": SRM_ALPHA,
    }
