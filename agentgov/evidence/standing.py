"""Where each task class stands on the ladder: its metrics, the exit criteria of the next
level, its rollback triggers and incidents (pure: from observations, incidents, a policy
and the time measured at; docs/evidence.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from agentgov.evidence.measure import Measurement, Series
from agentgov.evidence.verdicts import Judgement, Verdict, judge
from agentgov.evidence.windows import Incident, Window, days_label, window_for
from agentgov.policy.model import METRICS, Criterion, Level, Policy, RollbackTrigger

DAY = 86400.0


@dataclass(frozen=True)
class TriggerStanding:
    trigger: RollbackTrigger
    judgement: Judgement | None
    """None for an incident trigger."""
    breached: bool
    incidents: tuple[Incident, ...] = ()
    """Incident triggers: the open incidents that fire it."""


@dataclass(frozen=True)
class ClassStanding:
    name: str
    level: Level
    next_level: Level | None
    exit_criteria: tuple[Judgement, ...]
    triggers: tuple[TriggerStanding, ...]
    incidents: tuple[Incident, ...]
    """Every incident of the class up to the time measured (open or resolved)."""


def metrics_of(
    series: Series,
    task_class: str,
    label: str,
    seconds: float,
    at: float,
    incidents: Sequence[Incident],
) -> dict[str, Measurement]:
    window = window_for(task_class, label, seconds, at, incidents)
    return {metric: series.measure(task_class, metric, window) for metric in METRICS}


def criterion_window(
    criterion: Criterion, task_class: str, at: float, incidents: Sequence[Incident]
) -> Window:
    label = days_label(criterion.window_days)
    return window_for(task_class, label, criterion.window_days * DAY, at, incidents)


def judged(
    criterion: Criterion,
    series: Series,
    task_class: str,
    at: float,
    incidents: Sequence[Incident],
) -> Judgement:
    window = criterion_window(criterion, task_class, at, incidents)
    current = series.measure(task_class, criterion.metric, window)
    previous = series.measure(task_class, criterion.metric, window.before())
    return judge(criterion, current, previous)


def standing(
    policy: Policy, series: Series, at: float, incidents: Sequence[Incident]
) -> tuple[ClassStanding, ...]:
    found = []
    for task_class in policy.task_classes:
        name = task_class.name
        level = task_class.level
        following = Level(level.value + 1) if level.value < 5 else None
        criteria = policy.criteria(following) if following else ()
        mine = tuple(i for i in incidents if i.task_class == name)
        open_now = tuple(i for i in mine if i.resolved is None)
        triggers = []
        for trigger in policy.rollback:
            if trigger.classes and name not in trigger.classes:
                continue
            if trigger.criterion is None:
                firing = tuple(i for i in open_now if trigger.incident in ("any", i.severity))
                triggers.append(TriggerStanding(trigger, None, bool(firing), firing))
                continue
            judgement = judged(trigger.criterion, series, name, at, incidents)
            breached = judgement.verdict is Verdict.PASS  # the breach condition holds
            triggers.append(TriggerStanding(trigger, judgement, breached))
        found.append(
            ClassStanding(
                name,
                level,
                following,
                tuple(judged(c, series, name, at, incidents) for c in criteria),
                tuple(triggers),
                mine,
            )
        )
    return tuple(found)
