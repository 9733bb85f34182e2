"""Defects that escaped: commits later reverted, fixed, or named by an incident.

The links, read from the history (docs/evidence.md, "Defects"):

- a revert: ``This reverts commit <sha>.`` in the message (``git revert``), with the merge
  form's ``, reversing changes made to <parent>.`` and the ``--reference`` form's
  ``This reverts commit <abbrev> (<subject>, <date>).``; else a squash title
  ``Revert "<subject>"`` (``Reapply "<subject>"`` undoes ``Revert "<subject>"``), a
  ``Reverts owner/repo#N`` body (GitHub's Revert button) matched through the ``(#N)`` of
  squash titles, or a Conventional ``revert: <subject>`` title, matched by subject to
  exactly one older commit;
- a fix: a ``Fixes: <7 to 40 hex>`` trailer resolved to one commit;
- an incident: an ``incident`` record (``detail.event: open``) whose ``commit`` resolves.

Revert chains resolve to their net effect: a commit is undone when some revert of it is
not itself undone, so a change reverted and reapplied (a revert of the revert) is not an
escaped defect. A link that cannot be resolved to exactly one commit of the history is
counted as ``Unseen`` with what it said, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from agentgov.audit.records import SHORT
from agentgov.evidence.git_history import Commit, History
from agentgov.evidence.history_links import Opened
from agentgov.evidence.observations import Unseen

_REVERTS_SHA = re.compile(r"This reverts commit ([0-9a-fA-F]{4,64})\b")
_TITLE = re.compile(r'^(Revert|Reapply) "(.*)"(?:\s+\(#\d+\))?$')
_CONVENTIONAL = re.compile(r"^revert(?:\([^)]*\))?!?:\s*(.+?)(?:\s+\(#\d+\))?$", re.IGNORECASE)
_GITHUB_REVERTS = re.compile(r"^Reverts [\w.-]+/[\w.-]+#(\d+)\s*$", re.MULTILINE)
_PR_SUFFIX = re.compile(r"\s+\(#(\d+)\)$")
_CONVENTIONAL_PREFIX = re.compile(r"^[a-z]+(?:\([^)]*\))?!?:\s*", re.IGNORECASE)
_FIXES = re.compile(r"^Fixes:\s*([0-9a-fA-F]{7,40})\b", re.IGNORECASE)

REVERT_UNRESOLVED = "revert-unresolved"
REVERT_AMBIGUOUS = "revert-ambiguous"
FIX_UNRESOLVED = "fix-unresolved"
INCIDENT_UNRESOLVED = "incident-unresolved"


@dataclass(frozen=True)
class Defects:
    """``escaped``: each escaped commit of ``candidates`` and why (``reverted by <sha>``,
    ``fixed by <sha>``, ``incident <id>``); ``undone``: every commit a live revert undoes;
    ``unseen``: the links that could not be resolved, by what kind."""

    escaped: Mapping[str, tuple[str, ...]]
    undone: frozenset[str]
    unseen: tuple[Unseen, ...]


def find_defects(
    history: History, candidates: Collection[str], incidents: Iterable[Opened]
) -> Defects:
    """Which of ``candidates`` (commit ids of ``history``) escaped as defects."""
    problems: dict[str, list[str]] = {}
    reverters: dict[str, list[str]] = {}
    fixes: dict[str, list[str]] = {}
    position = {commit.sha: index for index, commit in enumerate(history.commits)}
    subjects = _subject_index(history)
    for index, commit in enumerate(history.commits):
        for target in _revert_targets(history, commit, index, position, subjects, problems):
            reverters.setdefault(target, []).append(commit.sha)
        for line in commit.trailers:
            match = _FIXES.match(line.strip())
            if match is None:
                continue
            found = history.resolve(match.group(1))
            if len(found) == 1:
                fixes.setdefault(found[0], []).append(commit.sha)
            else:
                problems.setdefault(FIX_UNRESOLVED, []).append(
                    f"{commit.sha[:SHORT]} {line.strip()}: "
                    + ("no such commit in this history" if not found else "ambiguous")
                )
    named = _incidents(history, incidents, problems)
    undone = _undone(reverters)
    escaped: dict[str, tuple[str, ...]] = {}
    for sha in candidates:
        why = [f"reverted by {r[:SHORT]}" for r in reverters.get(sha, ()) if r not in undone]
        why += [f"fixed by {f[:SHORT]}" for f in fixes.get(sha, ())]
        why += [f"incident {ident}" for ident in named.get(sha, ())]
        if why:
            escaped[sha] = tuple(why)
    unseen = tuple(
        Unseen(what, len(detail), tuple(detail)) for what, detail in sorted(problems.items())
    )
    return Defects(escaped, frozenset(undone), unseen)


def _subject_index(history: History) -> dict[str, list[int]]:
    """Positions of the commits by subject, and by subject without a ``(#N)`` suffix or a
    Conventional prefix, so a title can name a squash commit either way."""
    index: dict[str, list[int]] = {}
    for number, commit in enumerate(history.commits):
        keys = {commit.subject, _PR_SUFFIX.sub("", commit.subject)}
        keys |= {_CONVENTIONAL_PREFIX.sub("", key) for key in keys}
        for key in keys:
            index.setdefault(key, []).append(number)
    return index


def _revert_targets(
    history: History,
    commit: Commit,
    index: int,
    position: Mapping[str, int],
    subjects: Mapping[str, list[int]],
    problems: dict[str, list[str]],
) -> list[str]:
    """The commits ``commit`` reverts (resolved), recording the links that do not resolve."""
    named = _REVERTS_SHA.findall(commit.message)
    if named:
        targets = []
        for name in named:
            found = [sha for sha in history.resolve(name) if sha != commit.sha]
            if len(found) == 1:
                targets.append(found[0])
            else:
                kind = REVERT_UNRESOLVED if not found else REVERT_AMBIGUOUS
                problems.setdefault(kind, []).append(
                    f"{commit.sha[:SHORT]} reverts {name}: "
                    + ("no such commit in this history" if not found else "ambiguous id")
                )
        return targets
    wanted = _title_target(commit.subject)
    if wanted is None:
        return []
    older = [n for n in subjects.get(wanted, ()) if n > index]
    if len(older) != 1:
        pull = _GITHUB_REVERTS.search(commit.message)
        if pull is not None:
            by_number = [
                n
                for n, other in enumerate(history.commits)
                if n > index and other.subject.endswith(f"(#{pull.group(1)})")
            ]
            if len(by_number) == 1:
                return [history.commits[by_number[0]].sha]
    if len(older) == 1:
        return [history.commits[older[0]].sha]
    kind = REVERT_UNRESOLVED if not older else REVERT_AMBIGUOUS
    reason = (
        "no older commit has this subject"
        if not older
        else f"{len(older)} older commits have this subject"
    )
    problems.setdefault(kind, []).append(f"{commit.sha[:SHORT]} {commit.subject}: {reason}")
    return []


def _title_target(subject: str) -> str | None:
    """The subject a revert's title names: ``Revert "X"`` names X, ``Reapply "X"`` names
    ``Revert "X"``, ``revert: X`` names X."""
    title = _TITLE.match(subject)
    if title is not None:
        verb, inner = title.groups()
        return inner if verb == "Revert" else f'Revert "{inner}"'
    conventional = _CONVENTIONAL.match(subject)
    return conventional.group(1) if conventional is not None else None


def _undone(reverters: Mapping[str, list[str]]) -> set[str]:
    """Commits some live revert undoes: a revert is live unless it is undone itself."""
    state: dict[str, bool] = {}
    for start in reverters:
        stack = [start]
        while stack:
            sha = stack[-1]
            if sha in state:
                stack.pop()
                continue
            pending = [r for r in reverters.get(sha, ()) if r not in state and r not in stack]
            if pending:
                stack.extend(pending)
                continue
            state[sha] = any(not state.get(r, False) for r in reverters.get(sha, ()))
            stack.pop()
    return {sha for sha, undone in state.items() if undone}


def _incidents(
    history: History, incidents: Iterable[Opened], problems: dict[str, list[str]]
) -> dict[str, list[str]]:
    named: dict[str, list[str]] = {}
    for commit, ident in incidents:
        found = history.resolve(commit)
        if len(found) == 1:
            named.setdefault(found[0], []).append(ident)
        else:
            problems.setdefault(INCIDENT_UNRESOLVED, []).append(
                f"incident {ident} names {commit}: "
                + ("no such commit in this history" if not found else "ambiguous id")
            )
    return named
