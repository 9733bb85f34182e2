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

How it is fast (docs/design.md#7-budgets): git walks the notes history in the background
while the blobs are read; with many notes, a forked child reads the second half of them
(its own ``git cat-file``) while this process reads the first, as the slim reader does
for a cold read. What the child sends back is small: for each distinct line, its place
and the four fields the chain checks read, not the record.
"""

from __future__ import annotations

import hashlib
import marshal
import re
from collections.abc import Container
from pathlib import Path
from typing import NamedTuple

from agentgov.audit.git_process import resolve_commit, stream_objects
from agentgov.audit.notes_history import PendingHistory, start_history
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
    Forked,
    Row,
    SlimRead,
    Store,
    TrailRead,
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
    pending=False)``, from one read of the trail; from ``parallel_from`` notes on, a
    forked child reads half of them."""
    root = layout.root
    with cyclic_gc_paused():
        tip = resolve_commit(root, ref) if ref.startswith("refs/notes/") else None
        listing = list_notes(root, tip) if tip is not None else None
        notes = note_blobs(listing) if listing is not None else None
        if tip is None or listing is None or notes != _stored_notes(listing):
            return verify_trail(root, ref), read_slim_trail(layout, ref, pending=False)
        slim = SlimRead(layout, ref)
        # With many notes a child reads the last CHILD_SHARE of them, from the start: it
        # needs nothing of the cache, whose loading would hold it back. It takes the slims
        # of its notes only where there is no cache at all (a fresh clone, as in CI).
        share = CHILD_SHARE if len(notes) >= parallel_from else 0.0
        middle = len(notes) - round(len(notes) * share)
        mine, theirs = notes[:middle], notes[middle:]
        child = None
        if theirs:
            slims = not slim.cached()
            child = Forked.start(lambda: _child_read(root, theirs, slims, slim.store))
        try:
            walk = start_history(root, tip)  # git walks the notes history meanwhile
            try:
                return _read_verified(slim, notes, mine, theirs, child, walk)
            finally:
                walk.close()  # a no-op once finished
        finally:
            if child is not None:
                child.close()  # a no-op once its part was taken


def _read_verified(
    slim: SlimRead,
    notes: list[tuple[str, str]],
    mine: list[tuple[str, str]],
    theirs: list[tuple[str, str]],
    child: Forked | None,
    walk: PendingHistory,
) -> tuple[VerifyReport, TrailRead]:
    """This process reads ``mine``, then does what needs only those: the history's
    result, and the facts of its notes (the child's come after them in trail order)."""
    root = slim.layout.root
    cached = slim.load_cache()
    part = _read_stored(root, mine, cached, slim.store)
    history = walk.finish()
    assembly = _assembled(Assembly(), mine, cached, part.entries)
    if theirs:
        later = _child_part(child) or _read_stored(root, theirs, cached, slim.store)
        # blobs new since the cache was written, in the child's part: read for their slims
        lacking = sorted({blob for _, blob in theirs} - cached.keys() - later.entries.keys())
        later.entries.update(read_blobs(root, lacking, store=slim.store))
        part = _joined(part, later)
        assembly = _assembled(assembly, theirs, cached, later.entries)
    report = judged(root, history, _unreadable(part), _sessions(part), {}, signed=False, found=True)
    if assembly is None:  # a cached entry of the wrong shape: as read_slim_trail does
        return report, slim.reread(False, notes)
    return report, slim.finish(assembly, False, notes, cached, part.entries)


CHILD_SHARE = 0.5


def _assembled(
    assembly: Assembly | None,
    notes: list[tuple[str, str]],
    cached: dict[str, Entry],
    fresh: dict[str, Entry],
) -> Assembly | None:
    """``assembly`` with ``notes`` added, or None once a cached entry had the wrong shape."""
    if assembly is None:
        return None
    try:
        assembly.add(notes, cached, fresh)
    except CACHE_SHAPE_ERRORS:
        return None
    return assembly


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


def _child_read(root: Path, notes: list[tuple[str, str]], slims: bool, store: Store) -> bytes:
    """In the child: its part, marshal'd (with ``slims``, the slim entries of its blobs
    too, marshal'd once for its cache shard and for the parent)."""
    part = _read_notes(root, notes, () if slims else _EVERY_BLOB)
    entries = marshal.dumps(part.entries)
    if part.entries:
        store(entries, sorted(part.entries))
    return marshal.dumps((part.first, part.more, entries))


def _child_part(child: Forked | None) -> _Part | None:
    """What the child read, or None when there is no child or it failed."""
    payload = child.result() if child is not None else None
    if payload is None:
        return None
    try:
        first, more, entries = marshal.loads(payload)  # noqa: S302 -- our own child's
        return _Part(first, more, marshal.loads(entries))  # noqa: S302
    except (EOFError, ValueError, TypeError):
        return None


class _EveryBlob:
    """Every blob, as a container: the child's ``cached`` when it reads no slims."""

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
    for key, (commit, line, chain, _unreadable) in part.first.items():
        if chain is None:
            continue
        copies = more.get(key)
        entry = Chained(*chain, commit, line, tuple(copies) if copies else ())
        sessions.setdefault(chain[0], {}).setdefault(chain[1], []).append(entry)
    return sessions
