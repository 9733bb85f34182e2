"""Moving journal records into git notes, losing and duplicating nothing, even when killed.

The protocol, all under one flush lock (``journal/flush.lock``: flushes take turns, so a
flush never mistakes another one's files for leftovers):

1. For each session file, under the file's own lock (``Journal.detach``): write the chain's
   ``.tip``, then rename the file to ``<file>.<target>.<nonce>.flushing``. Hooks that keep
   appending start a fresh file that continues the chain from the tip.
2. One notes commit, compare-and-swapped, appends every detached line to the note of the
   target commit (``NotesStore.append_many``).
3. Delete the ``.flushing`` files.

The notes commit of step 2 names each session's new tip in its message
(``Agentgov-Tip: <seq> <sha256> <session>``): the last record of the session it holds.
The journal's ``.tip`` tells only this clone where a chain ended; the anchor travels with
the notes history, so any clone's ``audit verify`` notices when a session's last records
are deleted.

``flush_session`` is the same protocol for one session's file only, onto a commit it
names: the records a person or CI writes about a commit (``review``, ``ci``) reach that
commit's note at once, while the agent sessions' pending records wait for their own commit.

A SIGKILL can land anywhere. Before 1 nothing moved. Between 1 and 2 the records sit in
``.flushing`` files, not yet in notes. Between 2 and 3 they are in both. So the next flush
first takes up every leftover ``.flushing`` file, appending to the target written in its
name only the lines whose record (session and seq) that note does not hold yet. A fresh
session file never needs that check: its lines reach notes only after a rename. The note
commit of step 2 is atomic: a reader sees all of a flush's records or none.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from agentgov.audit.git_process import resolve_commit
from agentgov.audit.journal import FLUSHING_SUFFIX, Journal
from agentgov.audit.notes_history import record_place, tip_trailer
from agentgov.errors import AgentgovError, UsageError
from agentgov.git_layout import RepoLayout

STALE_REF_LOCK = 30.0
"""Seconds after which the notes ref's ``.lock`` is taken to be a killed writer's leftover."""
LOCK_TIMEOUT = 60.0
"""Seconds to wait for another flush; one takes milliseconds, or a few seconds at worst
when the notes ref is contended (its compare-and-swap retries are bounded)."""

_OBJECT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


class FlushLockTimeout(AgentgovError):
    """Another flush held the journal's flush lock for too long."""


@dataclass(frozen=True)
class FlushResult:
    """What one flush did.

    ``target`` is the commit new records were attached to, or None when the repository has
    no commit yet: then nothing moved and ``waiting`` records stay in the journal.
    ``moved`` counts lines appended to notes, ``recovered`` those of them that an
    interrupted flush had left, ``already_in_notes`` leftover lines that had reached notes
    before the interruption (not appended again).
    """

    target: str | None
    moved: int = 0
    recovered: int = 0
    already_in_notes: int = 0
    sessions: int = 0
    notes_commit: str | None = None
    waiting: int = 0
    stale_lock_removed: str | None = None


@dataclass(frozen=True)
class _Batch:
    path: Path
    target: str
    data: bytes
    leftover: bool

    @property
    def session_file(self) -> str:
        return self.path.name.removesuffix(FLUSHING_SUFFIX).rsplit(".", 2)[0]


def flush_journal(
    layout: RepoLayout,
    ref: str,
    commit: str | None = None,
    *,
    stale_ref_lock: float = STALE_REF_LOCK,
) -> FlushResult:
    """Move every pending record into notes on ``ref``, attached to ``commit`` or HEAD.

    A kill can also land inside the notes ref update and leave its ``.lock`` behind; the
    records then wait in ``.flushing`` files, and a flush ``stale_ref_lock`` seconds later
    removes the lock and moves them.
    """
    journal = Journal(layout.state_dir)
    if commit is not None:
        target = resolve_commit(layout.root, commit)
        if target is None:
            raise UsageError(f"--commit {commit}: no such commit in {layout.root}")
    else:
        target = resolve_commit(layout.root, "HEAD")
    if not journal.flushing() and not any(_has_data(path) for path in journal.sessions()):
        return FlushResult(target)
    if target is None:
        return FlushResult(None, waiting=_count_pending(journal))
    with _flush_lock(journal):
        return _flush_locked(layout, journal, ref, target, stale_ref_lock)


def flush_session(
    layout: RepoLayout,
    ref: str,
    session: str,
    commit: str,
    *,
    stale_ref_lock: float = STALE_REF_LOCK,
) -> FlushResult:
    """Move the pending records of ``session`` alone into the note of ``commit``.

    Other sessions' files stay in the journal. Leftovers of an interrupted flush (of any
    session) are taken up as ``flush_journal`` takes them, each onto the target written in
    its name, so a kill during this flush loses and duplicates nothing either.
    """
    journal = Journal(layout.state_dir)
    target = resolve_commit(layout.root, commit)
    if target is None:
        raise UsageError(f"{commit}: no such commit in {layout.root}")
    path = journal.path(session)
    if not journal.flushing() and not _has_data(path):
        return FlushResult(target)
    with _flush_lock(journal):
        return _flush_locked(layout, journal, ref, target, stale_ref_lock, only=path)


def _flush_locked(
    layout: RepoLayout,
    journal: Journal,
    ref: str,
    target: str,
    stale_ref_lock: float,
    only: Path | None = None,
) -> FlushResult:
    batches = [_leftover(path, target) for path in journal.flushing()]
    nonce = f"{os.getpid()}-{time.time_ns()}"
    for path in journal.sessions() if only is None else [only]:
        name = path.name.removesuffix(".jsonl")
        detached = journal.detach(path, path.with_name(f"{name}.{target}.{nonce}{FLUSHING_SUFFIX}"))
        if detached is not None:
            batches.append(_Batch(detached.path, target, detached.data, leftover=False))
    _remove_stale_temporaries(journal)
    if not batches:
        return FlushResult(target)

    from agentgov.audit.notes import NotesStore  # pygit2: only once there is work

    store = NotesStore(layout.root, ref)
    broken = store.break_stale_lock(stale_ref_lock)
    lines: dict[str, list[bytes]] = {}
    seen: dict[str, set[tuple[str, str] | bytes]] = {}
    recovered = skipped = 0
    tips: dict[str, tuple[int, str]] = {}
    for batch in batches:
        if batch.leftover and batch.target not in seen:
            seen[batch.target] = {_identity(raw) for raw in _lines(store.read(batch.target))}
        for raw in _lines(batch.data):
            _advance_tip(tips, raw)
            if batch.leftover:
                if _identity(raw) in seen[batch.target]:
                    skipped += 1
                    continue
                recovered += 1
            lines.setdefault(batch.target, []).append(raw)
    trailers = [tip_trailer(session, *tips[session]) for session in sorted(tips)]
    result = store.append_many(lines, trailers=trailers)
    for batch in batches:
        batch.path.unlink(missing_ok=True)
    return FlushResult(
        target,
        moved=sum(len(block) for block in lines.values()),
        recovered=recovered,
        already_in_notes=skipped,
        sessions=len({batch.session_file for batch in batches}),
        notes_commit=result.notes_commit,
        stale_lock_removed=None if broken is None else str(broken),
    )


def _leftover(path: Path, fallback: str) -> _Batch:
    """A ``.flushing`` file an interrupted flush left; its target is in its name."""
    parts = path.name.removesuffix(FLUSHING_SUFFIX).rsplit(".", 2)
    target = parts[1] if len(parts) == 3 and _OBJECT_ID.fullmatch(parts[1]) else fallback
    return _Batch(path, target, path.read_bytes(), leftover=True)


def _lines(data: bytes) -> Iterator[bytes]:
    """Non-empty lines, made storable: a record is one line, and a stray CR (only in a
    corrupt line) would split it for some readers; verify reports such lines."""
    for raw in data.split(b"\n"):
        if raw.strip():
            yield raw.replace(b"\r", b"\\r")


def _identity(raw: bytes) -> tuple[str, str] | bytes:
    """A record is identified by its session and seq; an unreadable line by its bytes."""
    try:
        record = json.loads(raw)
        return (json.dumps(record["session"]), json.dumps(record["seq"]))
    except (ValueError, KeyError, TypeError):
        return raw


def _advance_tip(tips: dict[str, tuple[int, str]], raw: bytes) -> None:
    """Keep the highest seq of each session seen, with the sha256 of its line as stored
    (the digest the session's next record names as ``prev``)."""
    place = record_place(raw)
    if place is None:
        return
    session, seq = place
    known = tips.get(session)
    if known is None or seq > known[0]:
        tips[session] = (seq, hashlib.sha256(raw).hexdigest())


def _has_data(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def _count_pending(journal: Journal) -> int:
    count = 0
    for path in [*journal.sessions(), *journal.flushing()]:
        with contextlib.suppress(OSError):
            count += sum(1 for raw in path.read_bytes().split(b"\n") if raw.strip())
    return count


def _remove_stale_temporaries(journal: Journal) -> None:
    """A flush killed while writing a tip leaves ``<name>.tip.<pid>.tmp``; only flushes
    write tips, and this one holds the flush lock, so any such file is stale."""
    for path in journal.directory.glob("*.tip.*.tmp"):
        path.unlink(missing_ok=True)


@contextlib.contextmanager
def _flush_lock(journal: Journal) -> Iterator[None]:
    journal.directory.mkdir(parents=True, exist_ok=True)
    path = journal.directory / "flush.lock"
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + LOCK_TIMEOUT
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    # flock dies with its holder: a killed flush never leaves it held
                    raise FlushLockTimeout(
                        f"another `agentgov audit flush` has held {path} for over "
                        f"{LOCK_TIMEOUT:.0f}s and is still running; retry when it ends"
                    ) from None
                time.sleep(0.01)
        yield
    finally:
        os.close(handle)  # releases the lock; a killed flush releases it too
