"""Which task class a piece of work belongs to (docs/policy.md, "Task classes"). Pure.

Every class that matches counts: an explicit ``AGENTGOV_TASK_CLASS``, the current branch
against each class's branch globs, and every path the work touches or writes against path
globs. The most restrictive of them (the lowest level) wins, else ``default``. The variable
and the branch name are chosen by whoever runs the work, an agent included, so they can
only make the class stricter than the paths (or ``default``) make it, never looser: a
``docs/typo`` branch does not lift an edit of ``Dockerfile`` out of ``infra``. A shell
command's writes (``sed -i``, ``>>``, ``cp``...) are paths like an edit's, but only part of
what the command does, so they too can only make its class stricter than ``default``.

Ties (same level) go to the paths: what the work touches names it. Where no path matches,
a class named by the variable (then the branch) as strict as ``default`` is taken over it.
Among classes of one kind, the policy's order breaks ties.

A path ending in ``/`` stands for a directory and everything beneath it (``rm -r infra``);
a path with ``*``, ``?`` or ``[`` is a shell glob (``sed -i ... Docker*``) and matches a
class when some file it can name would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from agentgov.policy.globs import match_branch, match_path
from agentgov.policy.model import Policy, TaskClass

_GLOB_CHARS = frozenset("*?[")
_CHOSEN = "AGENTGOV_TASK_CLASS or a branch can only make the class stricter"
_WRITES = "a shell command's writes can only make the class stricter"


@dataclass(frozen=True)
class TaskClassChoice:
    task_class: TaskClass
    because: str


@dataclass(frozen=True)
class _Match:
    source: str  # "AGENTGOV_TASK_CLASS=docs", "branch docs/typo", "path Dockerfile"
    task_class: TaskClass
    chosen: bool  # named by the variable or the branch, which the agent can pick

    def describe(self) -> str:
        return f"{self.source} matches {self.task_class.name} (level {self.task_class.level.value})"


def choose_task_class(
    policy: Policy,
    *,
    explicit: str | None = None,
    branch: str | None = None,
    paths: Sequence[str] = (),
    partial: bool = False,
) -> TaskClassChoice:
    """The class of work on ``branch`` touching ``paths``. With ``partial`` the paths are only
    some of what the work does (a shell command's writes: the same command may also reach
    the network), so they too can only make the class stricter than ``default``."""
    others = [tc for tc in policy.task_classes if tc.name != "default"]
    chosen: list[_Match] = []
    unknown = ""
    if explicit:
        named = [tc for tc in policy.task_classes if tc.name == explicit]
        if named:
            chosen.append(_Match(f"AGENTGOV_TASK_CLASS={explicit}", named[0], chosen=True))
        else:
            unknown = f" (unknown AGENTGOV_TASK_CLASS={explicit} ignored)"
    if branch:
        chosen.extend(
            _Match(f"branch {branch}", tc, chosen=True)
            for tc in others
            if tc.branches and match_branch(branch, tc.branches)
        )
    by_paths = _path_matches(others, paths)
    default = policy.task_class("default")
    base = min(by_paths, key=lambda m: m.task_class.level.value) if by_paths else None
    if partial and base is not None and base.task_class.level.value > default.level.value:
        base = None
    floor = base.task_class.level.value if base else default.level.value
    stricter = [m for m in chosen if m.task_class.level.value < floor]
    ties = [m for m in chosen if m.task_class.level.value == floor and base is None]
    winner = min(stricter, key=lambda m: m.task_class.level.value) if stricter else None
    tied = winner is None and bool(ties)
    if tied:
        winner = ties[0]  # as strict as default: the class named wins the tie
    if winner is None:
        winner = base
    matches = [*chosen, *by_paths]
    if winner is None:
        if not matches:
            return TaskClassChoice(default, "no class matched: default" + unknown)
        head = f"no stricter class matched: default (level {default.level.value})"
    else:
        head = winner.describe()
        if tied:
            head += ", as strict as default"
        elif len(matches) > 1:
            head += ", the most restrictive"
    notes = [_note(m, winner) for m in matches if m is not winner]
    because = "; ".join([head, *notes]) + unknown
    return TaskClassChoice(winner.task_class if winner else default, because)


def _note(match: _Match, winner: _Match | None) -> str:
    text = match.describe()
    if winner is not None and match.task_class.level.value == winner.task_class.level.value:
        return text + ", as restrictive"
    if match.chosen:
        return f"{text}, ignored: {_CHOSEN}"
    if winner is None:
        return f"{text}, ignored: {_WRITES}"
    return text + ", less restrictive"


def _path_matches(classes: Sequence[TaskClass], paths: Sequence[str]) -> list[_Match]:
    """One match per class, the first path that matches it, in the policy's order."""
    found: list[_Match] = []
    for task_class in classes:
        if not task_class.paths:
            continue
        for path in paths:
            if _touches(path, task_class.paths):
                shown = path if path.endswith("/") else path.rstrip("/")
                found.append(_Match(f"path {shown}", task_class, chosen=False))
                break
    return found


def _touches(path: str, patterns: tuple[str, ...]) -> bool:
    """``path`` (repository-relative) names a file one of ``patterns`` matches, or a
    directory holding one (a trailing ``/``), or is a glob that can name one."""
    if match_path(path, patterns):
        return True
    tree = path.endswith("/")
    glob = not _GLOB_CHARS.isdisjoint(path)
    if not tree and not glob:
        return False
    wanted = [segment for segment in path.strip("/").split("/") if segment not in ("", ".")]
    return any(_may_name(wanted, pattern, tree=tree) for pattern in patterns)


def _may_name(wanted: list[str], pattern: str, *, tree: bool) -> bool:
    """Whether the path segments ``wanted`` (shell globs) can name a file ``pattern`` (a
    class glob) matches or, for a tree, hold one. Each of the pattern's wildcards is stood
    in for by a plain name, so ``Docker*`` can name ``**/Dockerfile*``. A tree holds what
    an anchored pattern names below its leading literal directories (``infra`` holds
    ``infra/**``, ``.github`` holds ``.github/workflows/**``); ``build/`` is not taken to
    hold ``**/Dockerfile*``, which would make every directory removal infrastructure."""
    if not wanted:
        return False
    anchored = "/" in pattern.rstrip("/")
    target = [stand_in(segment) for segment in pattern.strip("/").split("/")]
    if tree:
        if not anchored:
            return False
        head = target[: target.index("**")] if "**" in target else target[:-1]
        return len(wanted) <= len(head) and _prefix_matches(wanted, head)
    if not anchored:
        # ``*.md`` matches a last segment at any depth.
        return _segment_may_match(wanted[-1], target[-1])
    if "**" not in target:
        return len(wanted) == len(target) and _prefix_matches(wanted, target)
    head = target[: target.index("**")]
    rest = [segment for segment in target[len(head) :] if segment != "**"]
    if len(wanted) < len(head) + 1 or not _prefix_matches(wanted, head):
        return False
    return not rest or _segment_may_match(wanted[-1], rest[-1])


def _prefix_matches(wanted: list[str], names: list[str]) -> bool:
    return all(_segment_may_match(want, name) for want, name in zip(wanted, names, strict=False))


def stand_in(segment: str) -> str:
    """A plain name the class glob's segment matches (``Dockerfile*`` -> ``Dockerfilex``)."""
    if segment == "**":
        return segment
    out: list[str] = []
    index = 0
    while index < len(segment):
        char = segment[index]
        if char in "*?":
            out.append("x")
        elif char == "[":
            end = segment.find("]", index + 2)
            if end == -1:
                out.append(char)
            else:
                inner = segment[index + 1 : end]
                out.append("x" if inner.startswith(("!", "^")) else inner[0])
                index = end
        elif char == "\\" and index + 1 < len(segment):
            index += 1
            out.append(segment[index])
        else:
            out.append(char)
        index += 1
    return "".join(out)


def _segment_may_match(wanted: str, name: str) -> bool:
    # As in the shell, a wildcard does not match a leading dot.
    if name.startswith(".") and not wanted.startswith("."):
        return False
    return fnmatchcase(name, wanted)
