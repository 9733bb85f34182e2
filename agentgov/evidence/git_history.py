"""Reading a branch's history for evidence: one ``git log`` with a machine-readable format.

Every commit reachable from ``at`` comes out of a single ``git log -z`` whose fields are
separated by NUL bytes (a commit message cannot hold one): id, parents, author, committer,
committer time, git's own reading of the trailers (``%(trailers:only,unfold)``, so a
trailer is what ``git interpret-trailers`` says it is) and the whole message. 10,000
commits read in a fraction of a second (benchmarks/evidence_history.py).

A shallow clone's history stops at the commits listed in ``<git dir>/shallow``: their
parents, and everything older, are not here. ``History.shallow`` names them, so whoever
reports evidence can say what it could not see (docs/evidence.md, "Agent commits").

The paths a commit changed are read only for the commits that need them, in one
``git diff-tree --stdin`` (``changed_paths``).
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from agentgov.audit.git_process import BackgroundGit, output_bytes, resolve_commit
from agentgov.errors import UsageError
from agentgov.git_layout import find_repo

_FORMAT = "%H%x00%P%x00%an <%ae>%x00%cn <%ce>%x00%ct%x00%(trailers:only,unfold)%x00%B"
_FIELDS = 7


@dataclass(frozen=True, slots=True)
class Commit:
    """One commit as evidence reads it. ``author``/``committer`` read ``Name <email>``;
    ``time`` is the committer time (seconds since the epoch); ``trailers`` are the
    message's trailer lines as git parses them."""

    sha: str
    parents: tuple[str, ...]
    author: str
    committer: str
    time: float
    subject: str
    message: str
    trailers: tuple[str, ...]


@dataclass(frozen=True)
class History:
    """The commits reachable from ``at`` (newest first, git log's order), indexed."""

    at: str
    commits: tuple[Commit, ...]
    shallow: tuple[str, ...] = ()
    """Commits whose parents this clone does not have (a shallow clone's boundary)."""
    by_sha: Mapping[str, Commit] = field(default_factory=dict, repr=False, compare=False)
    _sorted: tuple[str, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.by_sha:
            object.__setattr__(self, "by_sha", {commit.sha: commit for commit in self.commits})
        if not self._sorted:
            object.__setattr__(self, "_sorted", tuple(sorted(self.by_sha)))

    def resolve(self, name: str) -> tuple[str, ...]:
        """The commits of this history whose id starts with ``name`` (a full or abbreviated
        id, any case): one when it resolves, none or several when it does not."""
        prefix = name.lower()
        ids = self._sorted
        start = bisect.bisect_left(ids, prefix)
        found: list[str] = []
        for sha in ids[start:]:
            if not sha.startswith(prefix):
                break
            found.append(sha)
        return tuple(found)


def read_history(root: Path, at: str) -> History:
    """Every commit reachable from the revision ``at``, read with one ``git log``."""
    return start_history(root, at).finish()


class HistoryReading:
    """A ``git log`` running in the background (its output goes to a temporary file, so
    git never waits on a pipe and no thread is needed); ``finish`` parses it."""

    def __init__(self, root: Path, tip: str) -> None:
        self.root = root
        self.tip = tip
        args = ["-c", "log.showSignature=false", "log", "-z", "--no-color"]
        self._git = BackgroundGit(root, [*args, f"--format={_FORMAT}", tip, "--"])

    def finish(self) -> History:
        return History(self.tip, tuple(_parse(self._git.result())), _shallow(self.root))


def start_history(root: Path, at: str) -> HistoryReading:
    """Start reading every commit reachable from the revision ``at``."""
    tip = resolve_commit(root, at)
    if tip is None:
        raise UsageError(f"{at}: no such commit or branch in {root} (give a branch or a commit)")
    return HistoryReading(root, tip)


def protected_tip(root: Path, branches: Sequence[str]) -> str:
    """The protected branch evidence reads by default: the first of ``branches`` (the
    policy's ``protected_branches``, globs skipped) that this clone has, as a local branch
    or else as ``origin``'s."""
    for name in branches:
        if any(char in name for char in "*?["):
            continue
        for ref in (f"refs/heads/{name}", f"refs/remotes/origin/{name}"):
            if resolve_commit(root, ref) is not None:
                return ref
    raise UsageError(
        f"none of the protected branches ({', '.join(branches) or 'none'}) is in this "
        "clone: give the branch to read with --at"
    )


def _parse(raw: bytes) -> list[Commit]:
    fields = raw.decode("utf-8", errors="replace").split("\0")
    commits: list[Commit] = []
    for start in range(0, len(fields) - _FIELDS + 1, _FIELDS):
        sha, parents, author, committer, when, trailers, message = fields[start : start + _FIELDS]
        sha = sha.lstrip("\n")
        commits.append(
            Commit(
                sha=sha,
                parents=tuple(parents.split()),
                author=author,
                committer=committer,
                time=float(when or 0),
                subject=message.split("\n", 1)[0].strip(),
                message=message,
                trailers=tuple(line for line in trailers.split("\n") if line.strip()),
            )
        )
    return commits


def _shallow(root: Path) -> tuple[str, ...]:
    layout = find_repo(root)
    common = layout.common_dir if layout is not None else root  # a bare repository
    try:
        text = (common / "shallow").read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return ()
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def changed_paths(
    root: Path, shas: Sequence[str], *, combined: bool = False
) -> dict[str, tuple[str, ...]]:
    """The paths each commit in ``shas`` changed against its first parent (all of a root
    commit's), from one ``git diff-tree --stdin``. With ``combined``, a merge's are only
    the paths it changed against every parent: what the merge itself wrote, not what it
    brought in from either side."""
    if not shas:
        return {}
    raw = output_bytes(
        root,
        "diff-tree",
        "--stdin",
        "-r",
        "-z",
        "--name-only",
        "--root",
        "--no-renames",
        "-c" if combined else "--diff-merges=first-parent",
        data="".join(f"{sha}\n" for sha in shas).encode("ascii"),
    )
    wanted = set(shas)
    paths: dict[str, list[str]] = {sha: [] for sha in shas}
    current: list[str] | None = None
    for item in raw.decode("utf-8", errors="replace").split("\0"):
        token = item.strip("\n")
        if token in wanted and len(token) in (40, 64):
            current = paths[token]
        elif token and current is not None:
            current.append(token)
    return {sha: tuple(found) for sha, found in paths.items()}
