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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentgov.audit.records import SHORT, Record
from agentgov.evidence.git_history import Commit, History, changed_paths
from agentgov.policy.model import Policy
from agentgov.policy.task_class import choose_task_class

EDIT_TOOLS = frozenset({"Edit", "Write", "MultiEdit", "NotebookEdit"})
TOOL_CALL_KINDS = frozenset({"decision", "outcome", "permission"})
AGENT_SOURCES = frozenset({"claude-code"})
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
    calls: list[Mapping[str, Any]]
    sessions: list[str]

    def add(self, reason: str) -> None:
        if reason not in self.why:
            self.why.append(reason)


def find_agent_commits(
    root: Path, history: History, records: Iterable[Record], policy: Policy
) -> tuple[AgentCommit, ...]:
    """The agent commits of ``history`` (newest first), from the trail and the markers."""
    noted = list(_notes_only(records))
    parked = _parked(noted)
    found: dict[str, _Found] = {}
    commits = history.by_sha

    def entry(sha: str) -> _Found:
        known = found.get(sha)
        if known is None:
            known = found[sha] = _Found([], [], [])
        return known

    for item in noted:
        fields = item.record
        kind = fields.get("kind")
        places = _places(item)
        if kind == "session" and fields.get("event") == COMMIT_EVENT:
            made = _full(history, fields.get("commit"))
            if made is not None:
                entry(made).add(f"post-commit ({_marker_of(fields)})")
            for place in places:
                if place in commits and place != made and made is not None and made in places:
                    entry(place).add(f"reattached from {made[:SHORT]}")
            continue
        if kind not in TOOL_CALL_KINDS or fields.get("source") not in AGENT_SOURCES:
            continue
        if _is_parked(parked, item):
            continue
        for place in places:
            if place not in commits:
                continue
            others = [other for other in places if other != place]
            known = entry(place)
            known.add(f"reattached from {others[0][:SHORT]}" if others else "trail")
            known.calls.append(fields)
            if item.session not in known.sessions:
                known.sessions.append(item.session)

    matcher = MarkerMatcher(policy.agent_markers)
    for commit in history.commits:
        for line in matcher.matches(commit):
            entry(commit.sha).add(f"marker: {line}")

    agents = [commit for commit in history.commits if commit.sha in found]
    classes = _recorded_classes(policy, {c.sha: found[c.sha].calls for c in agents})
    unplaced = [commit.sha for commit in agents if commit.sha not in classes]
    paths = changed_paths(root, unplaced)
    result = []
    for commit in agents:
        known = found[commit.sha]
        if commit.sha in classes:
            name, because = classes[commit.sha]
        else:
            choice = choose_task_class(policy, paths=paths.get(commit.sha, ()))
            name = choice.task_class.name
            because = f"changed paths: {choice.because}"
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


def _ordered(why: list[str]) -> tuple[str, ...]:
    rank = {"post-commit": 0, "trail": 1, "reattached": 2, "marker": 3}
    return tuple(
        sorted(why, key=lambda reason: (rank.get(reason.split(" ", 1)[0].rstrip(":"), 4), reason))
    )


def _notes_only(records: Iterable[Record]) -> Iterable[Record]:
    """Records in notes: a pending record sits on no commit yet."""
    return (record for record in records if record.commit is not None)


def _places(record: Record) -> list[str]:
    assert record.commit is not None
    places = [record.commit]
    for where, _line in record.copies:
        if where not in places:
            places.append(where)
    return places


def _full(history: History, name: object) -> str | None:
    if not isinstance(name, str) or not name:
        return None
    found = history.resolve(name)
    return found[0] if len(found) == 1 else None


def _marker_of(fields: Mapping[str, Any]) -> str:
    detail = fields.get("detail")
    marker = detail.get("marker") if isinstance(detail, dict) else None
    return marker if isinstance(marker, str) and marker else "agent session"


def _parked(records: Iterable[Record]) -> dict[str, list[tuple[int, int]]]:
    """Per session, the seq ranges its ``parked`` records cover."""
    ranges: dict[str, list[tuple[int, int]]] = {}
    for item in records:
        fields = item.record
        if fields.get("kind") != "session" or fields.get("event") != "parked":
            continue
        detail = fields.get("detail")
        if not isinstance(detail, dict):
            continue
        first, last = detail.get("first_seq"), detail.get("last_seq")
        if isinstance(first, int) and isinstance(last, int):
            ranges.setdefault(item.session, []).append((first, last))
    return ranges


def _is_parked(parked: Mapping[str, list[tuple[int, int]]], item: Record) -> bool:
    spans = parked.get(item.session)
    if not spans:
        return False
    seq = item.seq
    return any(first <= seq <= last for first, last in spans)


def _recorded_classes(
    policy: Policy, calls: Mapping[str, list[Mapping[str, Any]]]
) -> dict[str, tuple[str, str]]:
    """For each commit whose decisions recorded edits, the most restrictive of their task
    classes and why."""
    default_level = policy.task_class("default").level.value
    chosen: dict[str, tuple[str, str]] = {}
    for sha, records in calls.items():
        edits: list[tuple[int, str, str]] = []
        for fields in records:
            if fields.get("kind") != "decision" or _sent(fields) == "deny":
                continue
            name = fields.get("task_class")
            if not isinstance(name, str):
                continue
            level = _level(policy, name, fields)
            tool = fields.get("tool")
            if tool in EDIT_TOOLS or (
                tool == "Bash" and fields.get("class") == "local" and level < default_level
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


def _sent(fields: Mapping[str, Any]) -> object:
    return fields.get("sent") or fields.get("decision")


def _level(policy: Policy, name: str, fields: Mapping[str, Any]) -> int:
    for task_class in policy.task_classes:
        if task_class.name == name:
            return task_class.level.value
    level = fields.get("level")
    return level if isinstance(level, int) else 0
