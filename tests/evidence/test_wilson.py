"""Wilson intervals against known values, and the 52-straight-approvals fact."""

from __future__ import annotations

import pytest

from agentgov.evidence.wilson import bound, interval, quantile_ranks, z_two_sided


@pytest.mark.parametrize(
    ("successes", "samples", "low", "high"),
    [
        (48, 50, 0.8654, 0.9890),
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (5, 10, 0.2366, 0.7634),
        (1, 1, 0.2065, 1.0),
    ],
)
def test_two_sided_95_interval(successes: int, samples: int, low: float, high: float) -> None:
    found = interval(successes, samples)
    assert (round(found.low, 4), round(found.high, 4)) == (low, high)


@pytest.mark.parametrize(
    ("straight", "lower_bound", "passes_095"),
    [
        (50, 0.9487, False),
        (51, 0.9496, False),
        (52, 0.9505, True),
    ],
)
def test_at_95_confidence_095_needs_52_straight_approvals(
    straight: int, lower_bound: float, passes_095: bool
) -> None:
    found = bound(straight, straight, 0.95, lower=True)
    assert round(found, 4) == lower_bound
    assert (found >= 0.95) is passes_095


def test_no_samples_know_nothing() -> None:
    found = interval(0, 0)
    assert (found.low, found.high) == (0.0, 1.0)


@pytest.mark.parametrize(("samples", "ranks"), [(1, (0, 0)), (10, (2, 7)), (100, (40, 59))])
def test_median_interval_ranks(samples: int, ranks: tuple[int, int]) -> None:
    assert quantile_ranks(samples, z_two_sided(0.95)) == ranks
