"""Wilson score intervals: how far a rate measured on few samples can be trusted.

A metric's interval is two-sided at 95% (z = 1.96). A criterion with ``confidence: c`` is
judged on one bound, which is one-sided at ``c``: at 0.95 the lower bound of n straight
successes is n / (n + 1.645²), so "≥ 0.95" first passes at 52 of 52 (docs/evidence.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

INTERVAL_CONFIDENCE = 0.95


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


def z_two_sided(confidence: float) -> float:
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def z_one_sided(confidence: float) -> float:
    return NormalDist().inv_cdf(confidence)


def wilson(successes: int, samples: int, z: float) -> Interval:
    """The Wilson score interval of ``successes`` out of ``samples`` at ``z``; (0, 1) when
    there are no samples (nothing is known)."""
    if samples <= 0:
        return Interval(0.0, 1.0)
    if not 0 <= successes <= samples:
        raise ValueError(f"{successes} successes out of {samples} samples")
    p = successes / samples
    z2 = z * z
    scale = 1 + z2 / samples
    centre = (p + z2 / (2 * samples)) / scale
    half = z * math.sqrt(p * (1 - p) / samples + z2 / (4 * samples * samples)) / scale
    # at p = 0 or 1 the bound is exact; rounding must not put it past the estimate
    return Interval(min(p, max(0.0, centre - half)), max(p, min(1.0, centre + half)))


def interval(successes: int, samples: int, confidence: float = INTERVAL_CONFIDENCE) -> Interval:
    """The two-sided interval a metric reports."""
    return wilson(successes, samples, z_two_sided(confidence))


def bound(successes: int, samples: int, confidence: float, *, lower: bool) -> float:
    """The one-sided bound at ``confidence`` a criterion is judged on."""
    found = wilson(successes, samples, z_one_sided(confidence))
    return found.low if lower else found.high


def quantile_ranks(samples: int, z: float, q: float = 0.5) -> tuple[int, int]:
    """0-based ranks of the order statistics that bound the ``q`` quantile of ``samples``
    sorted values: the Wilson interval of q at n, turned into ranks (distribution-free,
    as the sign test is). Clamped to the sample."""
    if samples <= 0:
        raise ValueError("no samples")
    z2 = z * z
    scale = 1 + z2 / samples
    centre = (q + z2 / (2 * samples)) / scale
    half = z * math.sqrt(q * (1 - q) / samples + z2 / (4 * samples * samples)) / scale
    low = max(0, math.floor(samples * (centre - half)))
    high = min(samples - 1, math.ceil(samples * (centre + half)) - 1)
    return low, max(low, high)
