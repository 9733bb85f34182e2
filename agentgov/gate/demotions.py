"""The demotions that breached rollback triggers and open incidents require (pure).

A breached trigger's target is its action applied to the highest level the class had since
the trigger's window began (an incident trigger: since the first firing incident), so a
demotion merged inside the window is *applied*, and the same evidence does not demote the
class again and again (docs/ci.md#check.rollback-due).

Every firing trigger is reported as its own ``Demotion``; when several fire for a class,
the lowest target *binds*: it is the level ``agentgov rollback --apply`` writes
(docs/ci.md#agentgov-rollback), and once it is applied every other one is too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from agentgov.evidence.standing import ClassStanding, TriggerStanding
from agentgov.gate.level_history import LevelHistory
from agentgov.gate.model import Demotion
from agentgov.policy.model import Policy


def trigger_since(trigger: TriggerStanding) -> float:
    """Where a breached trigger's evidence begins: the start of its criterion's window, or
    the time of the first incident that fires it."""
    if trigger.judgement is not None:
        return trigger.judgement.measurement.window.start
    return min(incident.time for incident in trigger.incidents)


def history_start(standings: Sequence[ClassStanding], at: float) -> float:
    """How far back the level history must reach for ``required_demotions``: the earliest
    ``trigger_since`` of any breached trigger (``at`` when none is breached)."""
    starts = [trigger_since(t) for s in standings for t in s.triggers if t.breached]
    return min([at, *starts])


def required_demotions(
    policy: Policy, standings: Sequence[ClassStanding], levels: LevelHistory
) -> tuple[Demotion, ...]:
    """One ``Demotion`` per firing trigger, by class in the policy's order, then trigger."""
    found: list[Demotion] = []
    for standing in standings:
        current = policy.task_class(standing.name).level
        for trigger in standing.triggers:
            if not trigger.breached:
                continue
            peak = levels.peak(standing.name, trigger_since(trigger), current)
            target = trigger.trigger.action.target(peak)
            found.append(
                Demotion(
                    standing.name,
                    current,
                    target,
                    trigger.trigger,
                    trigger.judgement,
                    trigger.incidents,
                    applied=current <= target,
                )
            )
    return tuple(found)


def binding(demotions: Iterable[Demotion]) -> dict[str, Demotion]:
    """Per class, the demotion with the lowest target (the first of equals, in order)."""
    lowest: dict[str, Demotion] = {}
    for demotion in demotions:
        held = lowest.get(demotion.task_class)
        if held is None or demotion.to_level < held.to_level:
            lowest[demotion.task_class] = demotion
    return lowest
