"""The demotions that breached rollback triggers and open incidents require (pure).

A breached trigger's target is its action applied to the highest level the class had since
the trigger's window began (an incident trigger: since the first firing incident), so a
demotion merged inside the window is *applied*, and the same evidence does not demote the
class again and again (docs/ci.md#check.rollback-due).
"""

from __future__ import annotations

from collections.abc import Sequence

from agentgov.evidence.standing import ClassStanding
from agentgov.gate.level_history import LevelHistory
from agentgov.gate.model import Demotion
from agentgov.policy.model import Policy


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
            if trigger.judgement is not None:
                since = trigger.judgement.measurement.window.start
            else:
                since = min(incident.time for incident in trigger.incidents)
            target = trigger.trigger.action.target(levels.peak(standing.name, since, current))
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
