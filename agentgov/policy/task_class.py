"""Which task class a piece of work belongs to (DESIGN.md section 2), in order:
an explicit ``AGENTGOV_TASK_CLASS``, the current branch against each class's branch globs,
the paths an edit touches against path globs (the most restrictive match wins), else
``default``. Pure: callers pass what they know.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from agentgov.policy.globs import match_branch, match_path
from agentgov.policy.model import Policy, TaskClass


@dataclass(frozen=True)
class TaskClassChoice:
    task_class: TaskClass
    because: str


def choose_task_class(
    policy: Policy,
    *,
    explicit: str | None = None,
    branch: str | None = None,
    paths: Sequence[str] = (),
) -> TaskClassChoice:
    if explicit:
        for candidate in policy.task_classes:
            if candidate.name == explicit:
                return TaskClassChoice(candidate, f"AGENTGOV_TASK_CLASS={explicit}")
    others = [tc for tc in policy.task_classes if tc.name != "default"]
    if branch:
        matched = [tc for tc in others if tc.branches and match_branch(branch, tc.branches)]
        if matched:
            chosen = min(matched, key=lambda tc: tc.level.value)
            return TaskClassChoice(chosen, f"branch {branch} matches {chosen.name}")
    if paths:
        matched = [tc for tc in others if tc.paths and any(match_path(p, tc.paths) for p in paths)]
        if matched:
            chosen = min(matched, key=lambda tc: tc.level.value)
            return TaskClassChoice(chosen, f"path matches {chosen.name}")
    default = policy.task_class("default")
    note = f" (unknown AGENTGOV_TASK_CLASS={explicit} ignored)" if explicit else ""
    return TaskClassChoice(default, "no class matched: default" + note)
