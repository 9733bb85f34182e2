"""Each task class's level over time, from the policy file's first-parent history.

``peak`` answers what a rollback's target is computed from: the highest level a class had
since a trigger's window began. A demotion merged inside the window then counts as
applied, and a trigger still breached by the same evidence does not demote again and again
(docs/ci.md#check.rollback-due). Only git objects are read, never the working tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agentgov.audit.git_process import output_bytes
from agentgov.errors import AgentgovError
from agentgov.policy.in_force import POLICY_PATH
from agentgov.policy.load import load_bytes
from agentgov.policy.model import Level


@dataclass(frozen=True)
class LevelHistory:
    """``versions``: (committer time, {class: level}), newest first; the last one is the
    version in force when the span began."""

    versions: tuple[tuple[float, tuple[tuple[str, Level], ...]], ...] = ()

    def peak(self, task_class: str, since: float, current: Level) -> Level:
        """The highest level ``task_class`` had from ``since`` on (``current`` included)."""
        highest = current
        for time, levels in self.versions:
            level = dict(levels).get(task_class)
            if level is not None and level > highest:
                highest = level
            if time <= since:
                break  # the version in force at ``since``: nothing older counts
        return highest


def level_history(root: Path, commit: str, since: float) -> LevelHistory:
    """The levels of every version of the policy on ``commit``'s first-parent line, back
    to the one in force at ``since``. A version that does not load is skipped."""
    listed = output_bytes(
        root, "log", "--first-parent", "--format=%H %ct", commit, "--", POLICY_PATH
    ).decode()
    versions: list[tuple[float, tuple[tuple[str, Level], ...]]] = []
    for line in listed.splitlines():
        sha, _, when = line.partition(" ")
        time = float(when or 0)
        try:
            raw = output_bytes(root, "show", f"{sha}:{POLICY_PATH}")
            policy = load_bytes(raw, f"{sha[:12]}:{POLICY_PATH}")
        except AgentgovError:  # deleted at that commit, or not a valid policy then
            continue
        versions.append((time, tuple((c.name, c.level) for c in policy.task_classes)))
        if time <= since:
            break
    return LevelHistory(tuple(versions))
