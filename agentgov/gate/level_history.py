"""Each task class's level over time, from the policy file's first-parent history.

``peak`` answers what a rollback's target is computed from: the highest level a class had
since a trigger's window began. A demotion merged inside the window then counts as
applied, and a trigger still breached by the same evidence does not demote again and again
(docs/ci.md#check.rollback-due). Only git objects are read, never the working tree, and
never further back than ``MAX_WINDOW_DAYS`` before the commit: no criterion's window is
longer (docs/policy.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agentgov.audit.git_process import output, read_objects
from agentgov.errors import PolicyError
from agentgov.policy.in_force import POLICY_PATH
from agentgov.policy.load import load_bytes
from agentgov.policy.model import Level
from agentgov.policy.semantic import MAX_WINDOW_DAYS

DAY = 86400.0


@dataclass(frozen=True)
class PolicyVersion:
    """One committed version of the policy: its commit, committer time and class levels."""

    commit: str
    time: float
    levels: tuple[tuple[str, Level], ...]

    def level(self, task_class: str) -> Level | None:
        return dict(self.levels).get(task_class)


@dataclass(frozen=True)
class LevelHistory:
    """``versions``: newest first; the last one is the version in force when the span
    began. ``skipped``: the versions left out and why (``<sha12>: <reason>``): a commit
    that deleted the file, or a version that did not load."""

    versions: tuple[PolicyVersion, ...] = ()
    skipped: tuple[str, ...] = ()

    def peak(self, task_class: str, since: float, current: Level) -> Level:
        """The highest level ``task_class`` had from ``since`` on (``current`` included)."""
        highest = current
        for version in self.versions:
            level = version.level(task_class)
            if level is not None and level > highest:
                highest = level
            if version.time <= since:
                break  # the version in force at ``since``: nothing older counts
        return highest


def level_history(root: Path, commit: str, since: float, path: str = POLICY_PATH) -> LevelHistory:
    """The levels of every version of ``path`` on ``commit``'s first-parent line committed
    after ``since``, and the version in force at ``since`` (``since`` is held to at most
    ``MAX_WINDOW_DAYS`` before ``commit``). Read from git objects in one ``cat-file --batch``."""
    committed = float(output(root, "show", "-s", "--format=%ct", commit, "--").strip() or 0)
    since = max(since, committed - MAX_WINDOW_DAYS * DAY)
    moment = f"@{int(since)}"
    log = ("log", "--first-parent", "--format=%H %ct")
    newer = output(root, *log, f"--since={moment}", commit, "--", path).splitlines()
    older = output(root, *log, "-1", f"--until={moment}", commit, "--", path).splitlines()
    listed: list[tuple[str, float]] = []
    for line in [*newer, *older]:
        sha, _, when = line.partition(" ")
        if sha and all(sha != seen for seen, _ in listed):
            listed.append((sha, float(when or 0)))
    blobs = read_objects(root, [f"{sha}:{path}" for sha, _ in listed])
    versions: list[PolicyVersion] = []
    skipped: list[str] = []
    for sha, time in listed:
        raw = blobs.get(f"{sha}:{path}")
        if raw is None:
            skipped.append(f"{sha[:12]}: {path} is deleted there")
            continue
        try:
            policy = load_bytes(raw, f"{sha[:12]}:{path}")
        except PolicyError as err:
            skipped.append(f"{sha[:12]}: does not load ({err.problems[0]})")
            continue
        levels = tuple((c.name, c.level) for c in policy.task_classes)
        versions.append(PolicyVersion(sha, time, levels))
    return LevelHistory(tuple(versions), tuple(skipped))
