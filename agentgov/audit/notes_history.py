"""The notes ref's own history: every notes commit may only add lines to the trail.

The hash chain inside the notes proves that records follow each other; it cannot prove
that nobody rewrote a note and recomputed every later ``prev``. The notes ref's history
can: each notes commit is a commit whose tree holds every note, so comparing a notes
commit with its parent shows exactly which lines it removed or changed. The legal changes
all keep every line: appends (``agentgov audit flush``), the union merge
(``NotesStore.merge`` and ``git notes merge -s cat_sort_uniq``, a two-parent commit that
keeps both sides' lines), copies onto rewritten commits (amend, rebase, ``audit
reattach``: lines added to another note) and the move into fan-out (a flat ``abcd…`` note
moved to ``ab/cd…``: the same annotated commit, the same lines). So the rule is one line:
every line a parent held for an annotated commit is still in that commit's note, in every
child. A line that disappears or changes is a ``LostLine``, named with the notes commit
that did it.

How, fast at 100,000 records: ``git diff-tree --stdin -r`` compares each notes commit's
tree with each parent's, tree by tree, skipping every subtree whose id did not change
(git's tree diff), so an append costs a few entries whatever the trail's size. Only the
note blobs it reports removed or modified are read (one ``git cat-file --batch``) and
compared as sets of lines; an added note removes nothing and is never read.

A notes commit that moved a session's chain forward also names the session's new tip in
its message (``Agentgov-Tip: <seq> <sha256> <session>``, written by the flush), so a reader
other than the clone that wrote the records can tell that a session's last records are
still there: anchors survive a fresh clone and a union merge, which keeps both parents.

Signatures: a notes commit signed with the user's git signing key carries a ``gpgsig``
header; git's own verification (``%G?``) judges it, with ``gpg.ssh.allowedSignersFile``
for ssh keys.

No pygit2 here: the pre-push hook runs this check, and git plumbing is all it needs.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from agentgov.audit.git_process import (
    BackgroundGit,
    output_bytes,
    read_objects,
    run,
    stream_objects,
)
from agentgov.errors import GitError

TIP_TRAILER = "Agentgov-Tip"
_TIP_LINE = re.compile(rf"^{TIP_TRAILER}: (\d+) ([0-9a-f]{{64}}) (.+)$")
_OBJECT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_FANOUT_DIR = re.compile(r"[0-9a-f]{2}")
_SIGNATURE_HEADERS = (b"gpgsig ", b"gpgsig-sha256 ")


@dataclass(frozen=True)
class NotesCommit:
    """One commit of the notes ref: its parents, message and whether it carries a signature."""

    id: str
    parents: tuple[str, ...]
    message: str
    signed: bool


@dataclass(frozen=True)
class Anchor:
    """A session's tip as the notes commit that moved it recorded it."""

    session: str
    seq: int
    digest: str
    notes_commit: str


@dataclass(frozen=True)
class LostLine:
    """A line a parent's note held that ``notes_commit``'s note on ``annotated`` lacks.

    ``line`` counts from 1 in the parent's note blob. ``replaced_by`` is a line of the new
    note that claims the same record (session and seq), when there is one: the line was
    changed rather than removed.
    """

    notes_commit: str
    parent: str
    annotated: str
    line: int
    text: bytes
    replaced_by: bytes | None

    @property
    def record(self) -> tuple[str, int] | None:
        return record_place(self.text)


@dataclass(frozen=True)
class Signature:
    """git's verdict on a signed notes commit: ``status`` is ``%G?`` (G, B, U, X, Y, R, E,
    or N when git could not even try, e.g. ssh without an allowed-signers file)."""

    notes_commit: str
    status: str
    key: str
    signer: str


@dataclass(frozen=True)
class NotesHistory:
    """What the history from ``tip`` (back to, not including, ``since``) holds."""

    tip: str | None
    commits: tuple[NotesCommit, ...]
    lost: tuple[LostLine, ...]

    @property
    def anchors(self) -> tuple[Anchor, ...]:
        return tuple(anchor for commit in self.commits for anchor in commit_anchors(commit))

    @property
    def roots(self) -> tuple[str, ...]:
        return tuple(commit.id for commit in self.commits if not commit.parents)


def tip_trailer(session: str, seq: int, digest: str) -> str:
    """The message line that anchors ``session``'s tip; the session is last, so it may hold
    spaces, and JSON-quoted when it could be misread (a quote first, a control character)."""
    shown = session
    if session.startswith('"') or any(ord(c) < 32 or c == "\x7f" for c in session):
        shown = json.dumps(session)
    return f"{TIP_TRAILER}: {seq} {digest} {shown}"


def commit_anchors(commit: NotesCommit) -> Iterator[Anchor]:
    for line in commit.message.splitlines():
        found = _TIP_LINE.match(line)
        if found is None:
            continue
        session = found.group(3)
        if session.startswith('"'):
            try:
                session = str(json.loads(session))
            except ValueError:
                continue
        yield Anchor(session, int(found.group(1)), found.group(2), commit.id)


def read_history(root: Path, tip: str, since: str | None = None) -> NotesHistory:
    """Every notes commit reachable from ``tip`` (and not from ``since``), checked.

    ``since`` is what a remote already holds, for the pre-push check: only the commits a
    push adds are compared with their parents (and so with what the remote has).
    """
    return start_history(root, tip, since).finish()


def start_history(root: Path, tip: str, since: str | None = None) -> PendingHistory:
    """Set git walking the history in the background; ``finish()`` checks what it found.

    git's share of the work (the tree diffs, reading the commits) runs in processes that
    write to temporary files, so a caller can read the trail meanwhile (verify does):
    they use another core, and no Python thread competes for the interpreter.
    """
    limit = [tip] if since is None else [tip, f"^{since}"]
    listed = output_bytes(root, "rev-list", "--parents", "--topo-order", *limit, "--")
    pairs = [
        (commit, parent)
        for line in listed.decode().splitlines()
        for commit, *parents in [line.split()]
        for parent in parents
    ]
    diff = BackgroundGit(root, [*_DIFF_TREE], "".join(f"{c} {p}\n" for c, p in pairs).encode())
    headers = BackgroundGit(root, ["rev-list", "--header", "--topo-order", *limit, "--"], b"")
    return PendingHistory(root, tip, pairs, diff, headers)


class PendingHistory:
    """A history walk under way (see ``start_history``)."""

    def __init__(
        self,
        root: Path,
        tip: str,
        pairs: list[tuple[str, str]],
        diff: BackgroundGit,
        headers: BackgroundGit,
    ) -> None:
        self._root, self._tip, self._pairs = root, tip, pairs
        self._diff, self._headers = diff, headers
        self._running = [diff, headers]

    def finish(self) -> NotesHistory:
        commits = _parse_commits(self._result(self._headers))
        changes = _parse_tree_changes(self._result(self._diff), self._pairs)
        lost = tuple(_lost_in_changes(self._root, changes))
        return NotesHistory(self._tip, tuple(commits), lost)

    def close(self) -> None:
        """Wait for whatever git is still running for the walk and drop its output: for a
        caller that fails before ``finish`` (no git left behind, no file left open)."""
        while self._running:
            with contextlib.suppress(GitError):
                self._result(self._running[0])

    def _result(self, git: BackgroundGit) -> bytes:
        self._running.remove(git)
        return git.result()


_DIFF_TREE = ("diff-tree", "--stdin", "-r", "-z", "--always", "--raw", "--no-renames")


def _parse_commits(out: bytes) -> list[NotesCommit]:
    """``git rev-list --header``: each commit's id, then its raw headers (parents, a
    signature) and its message indented by four spaces, NUL-terminated."""
    commits = []
    for entry in out.split(b"\0"):
        commit, _, raw = entry.lstrip(b"\n").partition(b"\n")
        if commit:
            commits.append(_parse_commit(commit.decode(), raw))
    return commits


def _parse_commit(commit: str, raw: bytes) -> NotesCommit:
    header, _, body = raw.partition(b"\n\n")
    parents: list[str] = []
    signed = False
    for line in header.split(b"\n"):
        if line.startswith(b"parent "):
            parents.append(line[7:].decode())
        elif line.startswith(_SIGNATURE_HEADERS):
            signed = True
    message = "\n".join(
        line.removeprefix("    ") for line in body.decode("utf-8", "replace").split("\n")
    )
    return NotesCommit(commit, tuple(parents), message, signed)


def _lost_in_changes(root: Path, changes: list[_NoteChange]) -> Iterator[LostLine]:
    """The lines each change lost. The changed blobs are streamed in the order the changes
    need them (newest first), each kept only until the last change that needs it."""
    uses: dict[str, int] = {}
    for change in changes:
        for blob in set(change.blobs()):
            uses[blob] = uses.get(blob, 0) + 1
    stream = stream_objects(root, list(uses))  # dicts keep first-use order
    held: dict[str, bytes] = {}
    for change in changes:
        wanted = set(change.blobs())
        while not wanted <= held.keys():  # every wanted blob was asked for: it comes
            name, data = next(stream)
            held[name] = data or b""
        yield from _lost_in(root, change, held)
        for blob in wanted:
            uses[blob] -= 1
            if not uses[blob]:
                del held[blob]


@dataclass
class _NoteChange:
    """One note that differs between a notes commit and one parent: the blobs that held it
    at changed paths there (``old``) and here (``new``), as (path, blob)."""

    commit: str
    parent: str
    annotated: str
    old: list[tuple[str, str]]
    new: list[tuple[str, str]]

    @property
    def moved(self) -> bool:
        """Every old blob is among the new ones: a move (into fan-out), nothing lost."""
        return {blob for _, blob in self.old} <= {blob for _, blob in self.new}

    def blobs(self) -> Iterator[str]:
        # A note only added removes nothing, and a moved one keeps its blob: neither is read.
        if self.old and not self.moved:
            yield from (blob for _, blob in self.old)
            yield from (blob for _, blob in self.new)


def _parse_tree_changes(out: bytes, pairs: list[tuple[str, str]]) -> list[_NoteChange]:
    """``git diff-tree --stdin -r``'s output: the changed note blobs of every pair.

    Each input line ``<commit> <parent>`` compares the commit with that one parent; git
    prints the commit id (``--always``: even when nothing changed, so the output stays in
    step with the input), then one ``:<modes> <old> <new> <status>`` entry per changed
    path. Renames are never paired up (``--no-renames``): a move is a deletion here and an
    addition there, and both belong to the same annotated commit.
    """
    fields = out.split(b"\0")
    changes: list[_NoteChange] = []
    index = 0
    pair = -1
    by_note: dict[str, _NoteChange] = {}
    while index < len(fields):
        field = fields[index]
        index += 1
        if not field:
            continue
        if not field.startswith(b":"):  # the commit id that starts a pair's entries
            pair += 1
            by_note = {}
            continue
        path = fields[index].decode("utf-8", "surrogateescape")
        index += 1
        annotated = _annotated(path)
        if annotated is None or pair < 0:
            continue  # not a note (git ignores such entries too)
        modes_and_ids = field[1:].decode().split(" ")
        old_mode, new_mode, old_id, new_id = modes_and_ids[:4]
        change = by_note.get(annotated)
        if change is None:
            commit, parent = pairs[pair]
            change = _NoteChange(commit, parent, annotated, [], [])
            by_note[annotated] = change
            changes.append(change)
        if _is_blob(old_mode) and set(old_id) != {"0"}:
            change.old.append((path, old_id))
        if _is_blob(new_mode) and set(new_id) != {"0"}:
            change.new.append((path, new_id))
    return [change for change in changes if change.old]


def _lost_in(root: Path, change: _NoteChange, contents: dict[str, bytes]) -> Iterator[LostLine]:
    if change.moved:
        return
    kept = _line_set(contents.get(blob, b"") for _, blob in change.new)
    missing = [
        (number, line)
        for _, blob in change.old
        for number, line in enumerate(contents.get(blob, b"").split(b"\n"), 1)
        if line.strip() and line not in kept
    ]
    if not missing:
        return
    # A note split over several paths keeps its unchanged parts out of the diff: read them.
    changed_paths = {path for path, _ in change.new}
    kept |= _line_set(_unchanged_parts(root, change.commit, change.annotated, changed_paths))
    new_records: dict[tuple[str, int], bytes] = {}
    for line in kept:
        place = record_place(line)
        if place is not None:
            new_records.setdefault(place, line)
    for number, line in missing:
        if line in kept:
            continue
        place = record_place(line)
        replaced = new_records.get(place) if place is not None else None
        yield LostLine(change.commit, change.parent, change.annotated, number, line, replaced)


def _unchanged_parts(root: Path, commit: str, annotated: str, skip: set[str]) -> list[bytes]:
    listed = run(root, "ls-tree", "-r", "-z", commit, "--", annotated, annotated[:2])
    names = []
    for entry in listed.stdout.split("\0"):
        meta, _, path = entry.partition("\t")
        if path and path not in skip and _annotated(path) == annotated and " blob " in meta:
            names.append(f"{commit}:{path}")
    return list(read_objects(root, names).values())


def signatures(root: Path, commits: Iterable[NotesCommit]) -> list[Signature]:
    """git's verdict (``%G?``) on every signed notes commit, through one ``git log``."""
    signed = [commit.id for commit in commits if commit.signed]
    if not signed:
        return []
    out = output_bytes(
        root,
        "-c",
        "log.showSignature=false",
        "log",
        "--no-walk=unsorted",
        "--stdin",
        "--no-color",
        "--format=%H%x1f%G?%x1f%GK%x1f%GS%x1e",
        data="".join(f"{commit}\n" for commit in signed).encode(),
    )
    found = []
    for entry in out.decode("utf-8", "replace").split("\x1e"):
        parts = entry.strip("\n").split("\x1f")
        if len(parts) == 4:
            found.append(Signature(*parts))
    return found


def record_place(line: bytes) -> tuple[str, int] | None:
    """(session, seq) of a record line, or None when the line is not one."""
    try:
        record = json.loads(line)
        session, seq = record["session"], record["seq"]
    except (ValueError, KeyError, TypeError, RecursionError):
        return None
    if isinstance(session, str) and isinstance(seq, int) and not isinstance(seq, bool):
        return session, seq
    return None


def _line_set(parts: Iterable[bytes]) -> set[bytes]:
    return {line for part in parts for line in part.split(b"\n") if line.strip()}


def _annotated(path: str) -> str | None:
    """The annotated object a notes tree path names (flat or fanned out), or None."""
    *dirs, name = path.split("/")
    if not all(_FANOUT_DIR.fullmatch(part) for part in dirs):
        return None
    joined = "".join(dirs) + name
    return joined if _OBJECT_ID.fullmatch(joined) else None


def _is_blob(mode: str) -> bool:
    return mode not in ("000000", "040000", "160000")
