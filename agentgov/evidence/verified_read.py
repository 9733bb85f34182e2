"""The trail verified and read as evidence in one pass: what ``agentgov check`` needs.

``check`` runs ``audit verify`` of the whole trail and measures evidence from it
(docs/ci.md). Done separately, that is two readers of every note blob: ``verify_trail``
parses and schema-checks each of 100,000 lines, and ``read_slim_trail`` parses them again
for the facts and links (evidence.trail_read). Here each blob is read once and each
distinct line parsed once: the record verify has checked is the one the slim reading
reads, and a line verify cannot read is given to the slim reading as it would read it
itself (which counts a record wrong only in a field evidence never reads).

``verified_trail`` returns exactly what ``verify_trail(root, ref)`` and
``read_slim_trail(layout, ref, pending=False)`` return: the same problems, in the same
order, and the same facts and links, from the same slim cache (warm or cold) and leaving
the same cache behind. Nothing verify checks is weakened: every line meets the full
schema check, every chain, lost line, anchor and signature is checked as
``audit.verify`` checks them (the same functions), and the cache is used only for the
evidence side, never for what verify judges.

Where the two readers would see different notes (a note split over several blobs, a
path one of them does not take as a note, a ref given by a short name), the two
separate reads run instead: rare, and their results are the definition.

How it is fast (docs/design.md#7-budgets; benchmarks/verified_read.py): with many notes
the work is split over two processes (``_in_two_processes``). A forked child reads the
second half of the notes (its own ``git cat-file``) while walking the notes history (its
own git processes); this process reads the first half and loads the slim cache. Then each
does one of the two serial tails: the child gets this process's lines (a place and the
four fields the chain checks read per distinct line, never the record) and judges the
whole trail, while this process assembles the facts; the child sends back the report.
Only the child's slims (on a cold read) and the small report cross back, never the facts.
One process does it all where there is no fork, one core, or few notes.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import re
import signal
from collections.abc import Callable, Container
from dataclasses import fields
from pathlib import Path
from typing import BinaryIO, NamedTuple

from agentgov.audit.git_process import resolve_commit, stream_objects
from agentgov.audit.notes_history import NotesHistory, start_history
from agentgov.audit.record_check import compiled_check
from agentgov.audit.records import (
    Place,
    Problem,
    cyclic_gc_paused,
    parse_line,
    unreadable_problem,
)
from agentgov.audit.verify import Chained, Sessions, VerifyReport, judged, verify_trail
from agentgov.errors import GitError
from agentgov.evidence.record_slim import Slim, slim_of
from agentgov.evidence.trail_read import (
    CACHE_SHAPE_ERRORS,
    DIGEST_SIZE,
    PARALLEL_BLOBS,
    Assembly,
    Entry,
    Row,
    SlimRead,
    Store,
    TrailRead,
    cores,
    line_digest,
    list_notes,
    note_blobs,
    read_blobs,
    read_slim_trail,
    slim_line,
)
from agentgov.git_layout import RepoLayout

_FANOUT_DIR = re.compile(r"[0-9a-f]{2}")
_OBJECT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_EMPTY_DIGEST = hashlib.sha256(b"").hexdigest()

Chain = tuple[str, int, str, str]
"""(session, seq, prev, sha256 of the text) of a line that is a valid record."""
Unreadable = tuple[bytes, str]
"""(the line, why it is not a record)."""
First = tuple[str, int, "Chain | None", "Unreadable | None"]
"""Where a distinct line was first seen (annotated commit, line) and what it is."""


class _Part(NamedTuple):
    """What one process read of its share of the notes, keyed by each line's sha256: the
    first place and reading of every distinct line (in trail order), the later places of
    those seen again, and the slim entries of the blobs the cache lacks."""

    first: dict[str, First]
    more: dict[str, list[Place]]
    entries: dict[str, Entry]


def verified_trail(
    layout: RepoLayout, ref: str, *, parallel_from: int = PARALLEL_BLOBS
) -> tuple[VerifyReport, TrailRead]:
    """``verify_trail(layout.root, ref)`` and ``read_slim_trail(layout, ref,
    pending=False)``, from one read of the trail; from ``parallel_from`` notes on, in two
    processes."""
    root = layout.root
    with cyclic_gc_paused():
        tip = resolve_commit(root, ref) if ref.startswith("refs/notes/") else None
        listing = list_notes(root, tip) if tip is not None else None
        notes = note_blobs(listing) if listing is not None else []
        if tip is None or listing is None or not _read_alike(listing, notes):
            return verify_trail(root, ref), read_slim_trail(layout, ref, pending=False)
        slim = SlimRead(layout, ref)
        if len(notes) >= parallel_from:
            # halves: of the splits tried (the child reading 42% to 55% of the notes)
            # halves were fastest, cold and warm, on the 100,000-record benchmark
            middle = len(notes) // 2
            shared = _in_two_processes(slim, tip, notes, middle)
            if shared is not None:
                return shared
        return _here(slim, tip, notes, _Part({}, {}, {}), 0, slim.load_cache())


def _in_two_processes(
    slim: SlimRead, tip: str, notes: list[tuple[str, str]], middle: int
) -> tuple[VerifyReport, TrailRead] | None:
    """This process reads the notes before ``middle``, a forked child the others; then
    the child, which walked the notes history meanwhile, gets this process's part and
    judges the whole trail, while this process assembles the facts. None where there is
    no fork or no second core.

    The child starts at once: it needs nothing of the cache, whose loading would hold it
    back, and takes the slims of its notes only where there is no cache at all (a fresh
    clone, as in CI); this process reads the slims of any blob of the child's that the
    cache lacks. Should the child fail, this process does the child's share itself."""
    root = slim.layout.root
    mine, theirs = notes[:middle], notes[middle:]
    slims = not slim.cached()
    child = _Peer.start(lambda peer: _verify_in_child(peer, root, tip, theirs, slims, slim.store))
    if child is None:
        return None
    try:
        cached = slim.load_cache()
        part = _read_stored(root, mine, cached, slim.store)
        their_entries = child.receive()
        if their_entries is None:  # the child failed
            return _here(slim, tip, notes, part, middle, cached)
        child.send(marshal.dumps((part.first, part.more)))
        fresh = marshal.loads(their_entries)  # noqa: S302 -- our own child's
        lacking = sorted({blob for _, blob in theirs} - cached.keys() - fresh.keys())
        fresh.update(read_blobs(root, lacking, store=slim.store))
        fresh.update(part.entries)
        trail = _evidence(slim, notes, cached, fresh)
        report = child.receive()
        if report is None:
            return _here(slim, tip, notes, part, middle, cached)
        return _report_of(report), trail
    except BaseException:
        child.close(stop=True)  # nothing of the child is needed any more
        raise
    finally:
        child.close()


def _verify_in_child(
    peer: _Peer, root: Path, tip: str, notes: list[tuple[str, str]], slims: bool, store: Store
) -> None:
    """The child's side of ``_in_two_processes``."""
    walk = start_history(root, tip)
    try:
        part = _read_notes(root, notes, () if slims else _EVERY_BLOB)
        history = walk.finish()
    finally:
        walk.close()
    entries = marshal.dumps(part.entries)
    if part.entries:
        store(entries, sorted(part.entries))
    peer.send(entries)
    earlier = peer.receive()
    if earlier is None:
        return  # the parent has gone
    first, more = marshal.loads(earlier)  # noqa: S302 -- our own parent's
    peer.send(_report_bytes(_judged(root, history, _joined(_Part(first, more, {}), part))))


def _here(
    slim: SlimRead,
    tip: str,
    notes: list[tuple[str, str]],
    part: _Part,
    middle: int,
    cached: dict[str, Entry],
) -> tuple[VerifyReport, TrailRead]:
    """The trail read and judged in this process, given ``part``, what it read of the
    notes before ``middle``."""
    root = slim.layout.root
    walk = start_history(root, tip)  # git walks the notes history meanwhile
    try:
        part = _joined(part, _read_stored(root, notes[middle:], cached, slim.store))
        history = walk.finish()
    finally:
        walk.close()  # a no-op once finished
    return _judged(root, history, part), _evidence(slim, notes, cached, part.entries)


def _judged(root: Path, history: NotesHistory, part: _Part) -> VerifyReport:
    return judged(root, history, _unreadable(part), _sessions(part), {}, signed=False, found=True)


def _evidence(
    slim: SlimRead, notes: list[tuple[str, str]], cached: dict[str, Entry], fresh: dict[str, Entry]
) -> TrailRead:
    """The facts and links, as ``read_slim_trail`` reads them with ``fresh`` the entries of
    the blobs the cache lacked (read and stored by this read)."""
    assembly = Assembly()
    try:
        assembly.add(notes, cached, fresh)
    except CACHE_SHAPE_ERRORS:  # a cached entry of the wrong shape: as read_slim_trail does
        return slim.reread(False, notes)
    return slim.finish(assembly, False, notes, cached, fresh)


def _report_bytes(report: VerifyReport) -> bytes:
    problems = [tuple(getattr(p, f.name) for f in fields(Problem)) for p in report.problems]
    counts = (report.records, report.sessions, report.found, report.notes_commits, report.signed)
    return marshal.dumps((problems, counts))


def _report_of(data: bytes) -> VerifyReport:
    problems, (records, sessions, found, commits, signed) = marshal.loads(data)  # noqa: S302
    return VerifyReport(
        records,
        sessions,
        tuple(Problem(*problem) for problem in problems),
        found=found,
        notes_commits=commits,
        signed=signed,
    )


class _Peer:
    """A forked child and a pipe each way: messages of bytes, each sent as its length and
    then itself. The two sides take turns (one sends, the other receives), so neither
    waits on a full pipe the other will not read."""

    def __init__(self, child: int, incoming: BinaryIO, outgoing: BinaryIO) -> None:
        self._child, self._in, self._out = child, incoming, outgoing

    @classmethod
    def start(cls, work: Callable[[_Peer], None]) -> _Peer | None:
        """``work`` run in a forked child with its own ``_Peer`` to this process; None
        where there is no ``fork`` or no second core."""
        if not hasattr(os, "fork") or cores() < 2:
            return None
        down_read, down_write = os.pipe()
        up_read, up_write = os.pipe()
        try:
            child = os.fork()
        except OSError:
            for end in (down_read, down_write, up_read, up_write):
                os.close(end)
            return None
        if child == 0:  # pragma: no cover -- the child; coverage does not follow a fork
            status = 1
            try:
                os.close(down_write)
                os.close(up_read)
                with os.fdopen(down_read, "rb") as incoming, os.fdopen(up_write, "wb") as out:
                    work(cls(0, incoming, out))
                status = 0
            finally:
                os._exit(status)
        os.close(down_read)
        os.close(up_write)
        return cls(child, os.fdopen(up_read, "rb"), os.fdopen(down_write, "wb"))

    def send(self, data: bytes) -> None:
        with contextlib.suppress(OSError):  # the other side has gone: its receive says so
            self._out.write(len(data).to_bytes(8, "big"))
            self._out.write(data)
            self._out.flush()

    def receive(self) -> bytes | None:
        """The next message, or None when the other side has gone (or failed)."""
        size = self._in.read(8)
        if len(size) != 8:
            return None
        data = self._in.read(int.from_bytes(size, "big"))
        return data if len(data) == int.from_bytes(size, "big") else None

    def close(self, *, stop: bool = False) -> None:
        """In this process: the pipes closed (the child's next send or receive ends it)
        and the child waited for, stopped first with ``stop``; a no-op the second time."""
        if self._child == 0:
            return
        for end in (self._in, self._out):
            with contextlib.suppress(OSError):
                end.close()
        if stop:
            with contextlib.suppress(OSError):
                os.kill(self._child, signal.SIGKILL)
        os.waitpid(self._child, 0)
        self._child = 0


_FANOUT_LISTING = re.compile(
    rb"(?:100644 blob (?:"
    rb"[0-9a-f]{40}\t[0-9a-f]{2}/[0-9a-f]{38}|[0-9a-f]{64}\t[0-9a-f]{2}/[0-9a-f]{62}"
    rb")\0)*"
)
"""A listing of nothing but notes at agentgov's fan-out paths ``ab/cdef…``."""


def _read_alike(listing: bytes, notes: list[tuple[str, str]]) -> bool:
    """Whether verify's reader finds in ``listing`` the notes the slim reader found. So it
    is where every entry is a note at a fan-out path, as agentgov writes them (one pattern
    over the whole listing: 0.007 s for 10,000 notes, against 0.02 s for the comparison
    below, before the child can start); else the two readings are compared."""
    return _FANOUT_LISTING.fullmatch(listing) is not None or notes == _stored_notes(listing)


def _stored_notes(listing: bytes) -> list[tuple[str, str]]:
    """The notes as ``audit.notes.NotesStore.iter_note_blobs`` (verify's reader) finds
    them in the same ``ls-tree -r`` listing: blobs under two-character fan-out directories
    whose joined path is an object id. A note split over several blobs comes once per
    blob, so such a listing never equals ``note_blobs``' and the separate reads run."""
    found: list[tuple[str, str]] = []
    for entry in listing.split(b"\0"):
        meta, _, path = entry.partition(b"\t")
        parts = meta.split(b" ")
        if len(parts) != 3 or parts[1] != b"blob":
            continue
        *dirs, name = path.decode("utf-8", "surrogateescape").split("/")
        annotated = "".join(dirs) + name
        if all(_FANOUT_DIR.fullmatch(part) for part in dirs) and _OBJECT_ID.fullmatch(annotated):
            found.append((annotated, parts[2].decode()))
    if len({annotated for annotated, _ in found}) != len(found):
        return []  # one note in several blobs: verify reads them joined
    return found


class _EveryBlob:
    """Every blob, as a container: the child's ``cached`` when it takes no slims."""

    def __contains__(self, _blob: object) -> bool:
        return True


_EVERY_BLOB = _EveryBlob()


def _read_stored(
    root: Path, notes: list[tuple[str, str]], cached: Container[str], store: Store
) -> _Part:
    part = _read_notes(root, notes, cached)
    if part.entries:
        store(marshal.dumps(part.entries), sorted(part.entries))
    return part


def _joined(part: _Part, later: _Part) -> _Part:
    """``part`` followed by ``later`` (the notes after it): a line both hold is first at
    ``part``'s place, and ``later``'s places of it are copies, in their order."""
    first, more = part.first, part.more
    for key, found in later.first.items():
        extra = later.more.get(key, [])
        if key in first:
            more.setdefault(key, []).extend([(found[0], found[1]), *extra])
        else:
            first[key] = found
            if extra:
                more[key] = extra
    return _Part(first, more, {**part.entries, **later.entries})


def _read_notes(root: Path, notes: list[tuple[str, str]], cached: Container[str]) -> _Part:
    """Each line of each note: the first time it is seen, parsed and schema-checked as
    verify's reader does (``records.parse_line``); in a blob the slim cache lacks, also
    read as the slim reader reads it, from the same parsed record. The slim entries come
    out byte for byte as ``trail_read._entry`` makes them."""
    check = compiled_check()
    sha256 = hashlib.sha256
    first: dict[str, First] = {}
    more: dict[str, list[Place]] = {}
    entries: dict[str, Entry] = {}
    slims: dict[str, tuple[Slim | None, bytes]] = {}  # each distinct line's, once read
    contents = stream_objects(root, [blob for _, blob in notes])
    for (annotated, blob), (_name, content) in zip(notes, contents, strict=True):
        if content is None:  # verify's reader fails on a note blob git cannot read
            raise GitError(f"git cat-file: cannot read {blob}")
        wanted = blob not in cached and blob not in entries
        bad = 0
        digests: list[bytes] = []
        rows: list[Row] = []
        for number, raw in enumerate(content.split(b"\n"), 1):
            if not raw or raw.isspace():  # a `git notes append` paragraph separator
                continue
            hashed = sha256(raw)
            key = hashed.hexdigest()
            record, exact = None, False
            if key in first:
                more.setdefault(key, []).append((annotated, number))
            else:
                text, record, error, exact = parse_line(raw, check)
                if record is None:
                    first[key] = (annotated, number, None, (raw, error or ""))
                else:
                    # Record.session, .seq and .digest: the sha256 of the text, which is
                    # the line's own unless json read it from bytes the text lacks
                    chain = (
                        str(record["session"]),
                        int(record["seq"]),
                        str(record["prev"]),
                        key if text else _EMPTY_DIGEST,
                    )
                    first[key] = (annotated, number, chain, None)
            if not wanted:
                continue
            known = slims.get(key)
            if known is None:
                slim = slim_of(record, exact) if record is not None else slim_line(raw)
                # trail_read.line_digest, from the hash already taken (but for a CR at the end)
                digest = line_digest(raw) if raw.endswith(b"\r") else hashed.digest()[:DIGEST_SIZE]
                known = slims[key] = (slim, digest)
            slim, digest = known
            if slim is None:
                bad += 1
                continue
            digests.append(digest)
            rows.append((slim[0], slim[1], number))
        if wanted:
            entries[blob] = (bad, b"".join(digests), rows)
    return _Part(first, more, entries)


def _unreadable(part: _Part) -> list[Problem]:
    return [
        unreadable_problem(None, commit, line, raw, error, part.more.get(key))
        for key, (commit, line, chain, unreadable) in part.first.items()
        if chain is None and unreadable is not None
        for raw, error in [unreadable]
    ]


def _sessions(part: _Part) -> Sessions:
    """Each distinct record in its session and seq, in trail order (``group_sessions``)."""
    sessions: Sessions = {}
    more = part.more
    # In the child's serial tail (docs/design.md#7-budgets): Chained made with
    # tuple.__new__ (its Python-level __new__ skipped) and no empty dict or list made per
    # record by setdefault: 0.085 s -> 0.055 s for 100,000 records.
    new = tuple.__new__
    for key, (commit, line, chain, _unreadable) in part.first.items():
        if chain is None:
            continue
        copies = more.get(key)
        entry = new(Chained, (*chain, commit, line, tuple(copies) if copies else (), None))
        session, seq = chain[0], chain[1]
        by_seq = sessions.get(session)
        if by_seq is None:
            by_seq = sessions[session] = {}
        versions = by_seq.get(seq)
        if versions is None:
            by_seq[seq] = [entry]
        else:
            versions.append(entry)
    return sessions
