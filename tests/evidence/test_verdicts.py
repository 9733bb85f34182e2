"""Verdicts: pass, fail or insufficient; confidence bounds; not-rising; incident restarts.
Pure: observations in, judgements out."""

from __future__ import annotations

import pytest

from agentgov.evidence.measure import Series
from agentgov.evidence.observations import Observation
from agentgov.evidence.standing import judged
from agentgov.evidence.verdicts import Verdict
from agentgov.evidence.windows import DAY, Incident
from agentgov.policy.model import Comparison, Criterion

AT = 1_700_000_000.0


def rate(metric: str, ones: int, zeros: int, days_ago: float = 1.0) -> list[Observation]:
    when = AT - days_ago * DAY
    return [Observation(metric, "default", when, 1.0) for _ in range(ones)] + [
        Observation(metric, "default", when, 0.0) for _ in range(zeros)
    ]


def criterion(op: str, threshold: float, min_samples: int = 10, **extra: float) -> Criterion:
    return Criterion(
        "approval_rate", Comparison(op), threshold, 14, min_samples, extra.get("confidence")
    )


@pytest.mark.parametrize(
    ("ones", "zeros", "rule", "verdict", "value", "samples"),
    [
        (48, 2, criterion(">=", 0.95), Verdict.PASS, 0.96, 50),
        (47, 3, criterion(">=", 0.95), Verdict.FAIL, 0.94, 50),
        (9, 0, criterion(">=", 0.95), Verdict.INSUFFICIENT, 1.0, 9),
        (0, 0, criterion(">=", 0.95, 1), Verdict.INSUFFICIENT, None, 0),
        (50, 0, criterion(">=", 0.95, 50, confidence=0.95), Verdict.FAIL, 1.0, 50),
        (51, 0, criterion(">=", 0.95, 50, confidence=0.95), Verdict.FAIL, 1.0, 51),
        (52, 0, criterion(">=", 0.95, 50, confidence=0.95), Verdict.PASS, 1.0, 52),
        (1, 49, criterion("<=", 0.05), Verdict.PASS, 0.02, 50),
        (1, 49, criterion("<=", 0.05, confidence=0.95), Verdict.FAIL, 0.02, 50),
        (0, 10, criterion("<", 0.1), Verdict.PASS, 0.0, 10),
        (1, 9, criterion(">", 0.1), Verdict.FAIL, 0.1, 10),
    ],
)
def test_verdict_table(
    ones: int, zeros: int, rule: Criterion, verdict: Verdict, value: float | None, samples: int
) -> None:
    series = Series(rate("approval_rate", ones, zeros), ())
    found = judged(rule, series, "default", AT, ())
    assert (found.verdict, found.measurement.value, found.measurement.denominator) == (
        verdict,
        value,
        samples,
    )


@pytest.mark.parametrize(
    ("before", "now", "threshold", "verdict", "rise"),
    [
        ((9, 91), (10, 90), 0.02, Verdict.PASS, 0.01),
        ((5, 95), (10, 90), 0.02, Verdict.FAIL, 0.05),
        ((10, 90), (5, 95), 0.0, Verdict.PASS, -0.05),
        ((0, 0), (10, 90), 0.02, Verdict.INSUFFICIENT, None),
    ],
)
def test_not_rising_holds_the_window_against_the_one_before(
    before: tuple[int, int],
    now: tuple[int, int],
    threshold: float,
    verdict: Verdict,
    rise: float | None,
) -> None:
    observations = rate("intervention_rate", *before, days_ago=20) + rate(
        "intervention_rate", *now, days_ago=1
    )
    rule = Criterion("intervention_rate", Comparison.NOT_RISING, threshold, 14, 10)
    found = judged(rule, Series(observations, ()), "default", AT, ())
    assert found.verdict is verdict
    assert (None if found.compared is None else round(found.compared, 4)) == rise


def test_an_incident_restarts_the_window_of_its_class() -> None:
    observations = rate("approval_rate", 50, 0, days_ago=5) + rate("approval_rate", 3, 0, 1)
    incident = Incident("INC-1", "default", AT - 2 * DAY, "production", "outage", "")
    other = Incident("INC-2", "docs", AT - 2 * DAY, "production", "outage", "")
    rule = criterion(">=", 0.95, 10)
    before = judged(rule, Series(observations, ()), "default", AT, (other,))
    after = judged(rule, Series(observations, ()), "default", AT, (incident,))
    assert (before.verdict, before.measurement.denominator) == (Verdict.PASS, 53)
    assert (after.verdict, after.measurement.denominator, after.short) == (
        Verdict.INSUFFICIENT,
        3,
        7,
    )
    assert after.measurement.window.restarted_by == "INC-1"


def test_turn_duration_thresholds_are_seconds_of_the_median() -> None:
    observations = [
        Observation("turn_duration", "default", AT - DAY, float(ms))
        for ms in (1000, 2000, 3000, 4000, 100_000)
    ]
    series = Series(observations, ())
    fast = Criterion("turn_duration", Comparison.AT_MOST, 3.0, 14, 5)
    found = judged(fast, series, "default", AT, ())
    assert (found.verdict, found.compared, found.measurement.percentiles) == (
        Verdict.PASS,
        3.0,
        (("p50", 3000.0), ("p90", 100_000.0), ("p99.9", 100_000.0)),
    )
