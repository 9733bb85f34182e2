"""Measuring a metric over a window: value, numerator, denominator and Wilson interval.

Observations are grouped once per (task class, metric) and sorted by time, so each window
is two binary searches and a sum. A rate's value is numerator / denominator (None when
nothing was observed) with its two-sided 95% Wilson interval. ``turn_duration`` reports
the p50, p90 and p99.9 of the turns' milliseconds (nearest rank); its value is the p50,
and its interval the order statistics at the ranks the Wilson interval of 1/2 gives
(distribution-free). Observations from pending journal records (this clone's alone) are
counted in ``pending`` (docs/evidence.md#metrics).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate

from agentgov.evidence.observations import Observation
from agentgov.evidence.wilson import INTERVAL_CONFIDENCE, interval, quantile_ranks, z_two_sided
from agentgov.evidence.windows import Window

DURATION = "turn_duration"
PERCENTILES = (("p50", 0.5), ("p90", 0.9), ("p99.9", 0.999))


@dataclass(frozen=True)
class Measurement:
    metric: str
    window: Window
    value: float | None
    numerator: int | None
    denominator: int
    low: float | None
    high: float | None
    pending: int = 0
    percentiles: tuple[tuple[str, float], ...] = ()
    values: tuple[float, ...] = ()
    """turn_duration only: the sorted durations (ms), for bounds at other confidences."""

    @property
    def successes(self) -> int:
        return self.numerator or 0


class _Line:
    """One (task class, metric)'s observations, by time."""

    def __init__(self, items: list[tuple[float, float, bool]]) -> None:
        items.sort()
        self.times = [item[0] for item in items]
        self.values = [item[1] for item in items]
        self.sums = [0.0, *accumulate(self.values)]
        self.pending = [0, *accumulate(int(item[2]) for item in items)]

    def span(self, window: Window) -> tuple[int, int]:
        return bisect_right(self.times, window.start), bisect_right(self.times, window.end)


class Series:
    """Every observation, grouped by (task class, metric)."""

    def __init__(self, observations: Iterable[Observation], pending: Iterable[Observation]):
        grouped: dict[tuple[str, str], list[tuple[float, float, bool]]] = {}
        for found, is_pending in ((observations, False), (pending, True)):
            for o in found:
                grouped.setdefault((o.task_class, o.metric), []).append(
                    (o.time, o.value, is_pending)
                )
        self._lines = {key: _Line(items) for key, items in grouped.items()}

    def task_classes(self) -> set[str]:
        return {task_class for task_class, _ in self._lines}

    def measure(self, task_class: str, metric: str, window: Window) -> Measurement:
        line = self._lines.get((task_class, metric))
        first, last = line.span(window) if line else (0, 0)
        count = last - first
        pending = line.pending[last] - line.pending[first] if line else 0
        if metric == DURATION:
            return _durations(window, sorted(line.values[first:last]) if line else [], pending)
        if count == 0 or line is None:
            return Measurement(metric, window, None, 0, 0, None, None)
        successes = round(line.sums[last] - line.sums[first])
        found = interval(successes, count)
        return Measurement(
            metric, window, successes / count, successes, count, found.low, found.high, pending
        )


def _durations(window: Window, values: list[float], pending: int) -> Measurement:
    if not values:
        return Measurement(DURATION, window, None, None, 0, None, None)
    count = len(values)
    low, high = quantile_ranks(count, z_two_sided(INTERVAL_CONFIDENCE))
    percentiles = tuple((name, values[max(0, math.ceil(q * count) - 1)]) for name, q in PERCENTILES)
    return Measurement(
        DURATION,
        window,
        percentiles[0][1],
        None,
        count,
        values[low],
        values[high],
        pending,
        percentiles,
        tuple(values),
    )
