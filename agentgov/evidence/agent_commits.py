"""Which commits of a branch are an agent's, why, and their task class (docs/evidence.md).

A commit is an agent's when any of these holds, and ``AgentCommit.why`` says which:

- ``post-commit (<marker>)``: post-commit ran inside an agent session (``CLAUDECODE``,
  ``CLAUDE_CODE_ENTRYPOINT``, ``AGENTGOV_AGENT``) and recorded so: a ``session`` record
  with ``event: commit`` naming the commit (adapters/git_hooks/post_commit.py).
- ``trail``: its note carries the agent's tool calls that led to it (decision, outcome and
  permission records from Claude Code) and held only there.
- ``reattached from <commit>``: its note carries such records copied from the commits they
  led to (``agentgov audit reattach`` after a squash or rebase merge; amend and rebase
  carrying notes), or a post-commit record of another commit copied with them.
- ``marker: <line>``: a trailer line, or its ``Author:``/``Committer:`` line, matches one
  of ``policy.agent_markers`` (case-insensitive globs). A lower bound: markers can be
  switched off; the trail is the primary signal.

Records only *parked* on a commit (at a session's end or a push: the journal marks them
with a ``session``/``parked`` record naming their seqs) were written after it and did not
lead to it: they never make a commit an agent's, nor choose its task class.

The task class is the one the commit's own decisions recorded for its edits (Edit, Write,
MultiEdit, NotebookEdit, and Bash commands whose writes made them stricter than
``default``), the most restrictive of them; else the one its changed paths place it in
(``policy.task_class.choose_task_class``, the most restrictive match).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from agentgov.audit.records import SHORT
from agentgov.evidence.git_history import Commit, History, changed_paths
from agentgov.evidence.history_links import Edit, TrailLinks
from agentgov.policy.model import Policy
from agentgov.policy.task_class import choose_task_class

EDIT_TOOLS = frozenset({"Edit", "Write", "MultiEdit", "NotebookEdit"})
COMMIT_EVENT = "commit"
"""``event`` of the ``session`` record post-commit writes inside an agent session."""


@dataclass(frozen=True)
class AgentCommit:
    """An agent's commit on the branch: why it counts, and its task class and why."""

    sha: str
    time: float
    task_class: str
    why: tuple[str, ...]
    task_class_because: str
    sessions: tuple[str, ...] = ()
    subject: str = ""


class MarkerMatcher:
    """``policy.agent_markers`` compiled into one case-insensitive pattern."""

    def __init__(self, markers: Sequence[str]) -> None:
        patterns = [fnmatch.translate(marker) for marker in markers if marker.strip()]
        self._pattern = re.compile("|".join(patterns), re.IGNORECASE) if patterns else None

    def matches(self, commit: Commit) -> list[str]:
        """The lines of ``commit`` that name a known agent, in message order."""
        if self._pattern is None:
            return []
        lines = [
            *(line.strip() for line in commit.trailers),
            f"Author: {commit.author}",
            f"Committer: {commit.committer}",
        ]
        return [line for line in lines if self._pattern.match(line)]


@dataclass
class _Found:
    why: list[str]
    calls: list[Edit]
    sessions: list[str]

    def add(self, reason: str) -> None:
        if reason not in self.why:
            self.why.append(reason)


def find_agent_commits(
    root: Path,
    history: History,
    links: TrailLinks,
    policy: Policy,
    paths_of: Callable[[Path, Sequence[str]], Mapping[str, tuple[str, ...]]] = changed_paths,
) -> tuple[AgentCommit, ...]:
    """The agent commits of ``history`` (newest first), from the trail and the markers.
    ``paths_of`` reads the paths commits changed (``changed_paths``, or a cache of it)."""
    found: dict[str, _Found] = {}
    commits = history.by_sha

    def entry(sha: str) -> _Found:
        known = found.get(sha)
        if known is None:
            known = found[sha] = _Found([], [], [])
        return known

    for made_record in links.made:
        made = _full(history, made_record.commit)
        places = made_record.places
        if made is not None:
            entry(made).add(f"post-commit ({made_record.marker})")
            if made in places:
                for place in places:
                    if place in commits and place != made:
                        entry(place).add(f"reattached from {made[:SHORT]}")
    _add_calls(links, commits, entry)

    matcher = MarkerMatcher(policy.agent_markers)
    for commit in history.commits:
        for line in matcher.matches(commit):
            entry(commit.sha).add(f"marker: {line}")

    agents = [commit for commit in history.commits if commit.sha in found]
    classes = _recorded_classes(policy, {c.sha: found[c.sha].calls for c in agents})
    unplaced = [commit.sha for commit in agents if commit.sha not in classes]
    paths = paths_of(root, unplaced)

    @cache
    def by_paths(changed: tuple[str, ...]) -> tuple[str, str]:
        choice = choose_task_class(policy, paths=changed)  # pure: the same paths, the same class
        return choice.task_class.name, f"changed paths: {choice.because}"

    result = []
    for commit in agents:
        known = found[commit.sha]
        if commit.sha in classes:
            name, because = classes[commit.sha]
        else:
            name, because = by_paths(tuple(paths.get(commit.sha, ())))
        result.append(
            AgentCommit(
                sha=commit.sha,
                time=commit.time,
                task_class=name,
                why=_ordered(known.why),
                task_class_because=because,
                sessions=tuple(known.sessions),
                subject=commit.subject,
            )
        )
    return tuple(result)


def _add_calls(
    links: TrailLinks, commits: Mapping[str, Commit], entry: Callable[[str], _Found]
) -> None:
    """The tool calls (none parked) each commit's notes hold: ``trail`` when held only
    there, else ``reattached from`` another holder."""
    parked = links.parked
    for group in links.calls:
        edits: list[Edit] = []
        sessions: list[str] = []
        for call in group.calls:
            if parked:
                spans = parked.get(call.session)
                if spans and any(first <= call.seq <= last for first, last in spans):
                    continue
            if call.edit is not None:
                edits.append(call.edit)
            if call.session not in sessions:
                sessions.append(call.session)
        if not sessions:
            continue  # every call parked
        places = group.places
        for place in places:
            if place not in commits:
                continue
            known = entry(place)
            if len(places) == 1:
                known.add("trail")
            else:
                other = places[1] if place == places[0] else places[0]
                known.add(f"reattached from {other[:SHORT]}")
            known.calls.extend(edits)
            for session in sessions:
                if session not in known.sessions:
                    known.sessions.append(session)


def _ordered(why: list[str]) -> tuple[str, ...]:
    rank = {"post-commit": 0, "trail": 1, "reattached": 2, "marker": 3}
    return tuple(
        sorted(why, key=lambda reason: (rank.get(reason.split(" ", 1)[0].rstrip(":"), 4), reason))
    )


def _full(history: History, name: object) -> str | None:
    if not isinstance(name, str) or not name:
        return None
    found = history.resolve(name)
    return found[0] if len(found) == 1 else None


def _recorded_classes(
    policy: Policy, calls: Mapping[str, list[Edit]]
) -> dict[str, tuple[str, str]]:
    """For each commit whose decisions recorded edits, the most restrictive of their task
    classes and why."""
    default_level = policy.task_class("default").level.value
    levels = {task_class.name: task_class.level.value for task_class in policy.task_classes}
    chosen: dict[str, tuple[str, str]] = {}
    for sha, edits_recorded in calls.items():
        edits: list[tuple[int, str, str]] = []
        for name, tool, klass, recorded_level in edits_recorded:
            level = levels.get(name, recorded_level)
            if tool in EDIT_TOOLS or (
                tool == "Bash" and klass == "local" and level < default_level
            ):
                edits.append((level, name, str(tool)))
        if edits:
            level, name, _tool = min(edits, key=lambda edit: edit[0])
            tools = sorted({tool for _level, _name, tool in edits})
            chosen[sha] = (
                name,
                f"recorded by its decisions ({len(edits)} edit(s) by {', '.join(tools)}; "
                f"the most restrictive: {name}, level {level})",
            )
    return chosen
