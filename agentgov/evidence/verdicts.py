"""Three-valued verdicts of exit criteria and rollback triggers (docs/evidence.md#verdicts).

A criterion's condition (``metric op threshold`` over its window) is judged ``pass`` when
the measurement meets it, ``fail`` when it does not, and ``insufficient`` when the window
holds fewer samples than ``min_samples`` (no data included): no data is never a pass, so
``insufficient`` never lets a level rise, and never fires a rollback trigger either.

With ``confidence`` the condition is judged on a one-sided Wilson bound at that
confidence instead of the point estimate: the lower bound for ``>=``/``>``, the upper for
``<=``/``<`` (for ``not-rising``, the current window's upper bound against the previous
window's value). ``turn_duration`` thresholds are seconds, compared with the p50 (its
bound: the order statistic at the Wilson rank of 1/2).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from agentgov.evidence.measure import DURATION, Measurement
from agentgov.evidence.wilson import bound, quantile_ranks, z_one_sided
from agentgov.policy.model import Comparison, Criterion


class Verdict(str, Enum):
    PASS = "pass"  # noqa: S105 - a verdict, not a password
    FAIL = "fail"
    INSUFFICIENT = "insufficient"


@dataclass(frozen=True)
class Judgement:
    """``compared`` is what was held against the threshold (a bound with confidence; the
    rise for not-rising; seconds for turn_duration); ``margin`` how far it is on the
    passing side (negative: failing by that much); ``short`` the samples still missing."""

    criterion: Criterion
    measurement: Measurement
    previous: Measurement | None
    compared: float | None
    verdict: Verdict
    margin: float | None
    short: int


def judge(criterion: Criterion, current: Measurement, previous: Measurement | None) -> Judgement:
    short = max(0, criterion.min_samples - current.denominator)
    if criterion.comparison is Comparison.NOT_RISING:
        return _not_rising(criterion, current, previous, short)
    if short or current.value is None:
        return Judgement(criterion, current, previous, None, Verdict.INSUFFICIENT, None, short)
    op = criterion.comparison
    lower = op in (Comparison.AT_LEAST, Comparison.ABOVE)
    compared = _estimate(current, criterion.confidence, lower=lower)
    threshold = criterion.threshold
    margin = compared - threshold if lower else threshold - compared
    met = {
        Comparison.AT_LEAST: compared >= threshold,
        Comparison.ABOVE: compared > threshold,
        Comparison.AT_MOST: compared <= threshold,
        Comparison.BELOW: compared < threshold,
    }[op]
    verdict = Verdict.PASS if met else Verdict.FAIL
    return Judgement(criterion, current, previous, compared, verdict, margin, 0)


def _not_rising(
    criterion: Criterion, current: Measurement, previous: Measurement | None, short: int
) -> Judgement:
    before = previous.denominator if previous else 0
    short = max(short, criterion.min_samples - before)
    if short or current.value is None or previous is None or previous.value is None:
        return Judgement(criterion, current, previous, None, Verdict.INSUFFICIENT, None, short)
    rise = _estimate(current, criterion.confidence, lower=False) - _scaled(current, previous.value)
    margin = criterion.threshold - rise
    verdict = Verdict.PASS if rise <= criterion.threshold else Verdict.FAIL
    return Judgement(criterion, current, previous, rise, verdict, margin, 0)


def _scaled(measurement: Measurement, value: float) -> float:
    return value / 1000 if measurement.metric == DURATION else value


def _estimate(measurement: Measurement, confidence: float | None, *, lower: bool) -> float:
    """The point estimate, or its one-sided bound at ``confidence``; seconds for
    turn_duration."""
    assert measurement.value is not None
    if confidence is None:
        return _scaled(measurement, measurement.value)
    if measurement.metric == DURATION:
        low, high = quantile_ranks(measurement.denominator, z_one_sided(confidence))
        return measurement.values[low if lower else high] / 1000
    return bound(measurement.successes, measurement.denominator, confidence, lower=lower)
