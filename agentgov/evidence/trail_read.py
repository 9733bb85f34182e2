"""The trail as evidence reads it: each record's ``Fact`` (the metrics) and ``Link`` (the
history side), from one pass over each note blob, cached per blob.

Metrics read a dozen fields of each record and the history side a few more of a few kinds
(``record_slim``), and a note blob never changes (its id names its content), so what was
read from a blob once is kept in ``.git/agentgov/cache/`` and a later run reads no blob it
has seen: one ``git ls-tree`` of the notes ref, then the new blobs only, streamed from one
``git cat-file``. The cache's name carries the record schema's digest and this reader's
version, so a new schema or reader starts afresh; its content carries its own digest, so a
cache file that is cut short, corrupt or of another shape is ignored and the blobs are
read again (a cold run and a warm one report the same bytes).

Lines are read as ``read_trail`` reads them: a line that is not a record evidence can read
is skipped and counted, and a line stored at several places (amend, rebase, reattach copy
notes) counts once, its places kept for the history side. ``audit verify`` never reads
this cache: evidence a gate relies on is measured in CI from a fresh clone, and tamper
evidence does not rest on a file anyone with the clone can write.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentgov.audit.git_process import output_bytes, stream_objects
from agentgov.audit.journal import Journal
from agentgov.audit.record_check import record_schema
from agentgov.audit.records import cyclic_gc_paused
from agentgov.errors import GitError
from agentgov.evidence import cache_file
from agentgov.evidence.history_links import LinkCollector, TrailLinks
from agentgov.evidence.record_slim import slim_of
from agentgov.evidence.trail_metrics import Fact
from agentgov.git_layout import RepoLayout

READER_VERSION = 4
_NOTE_PATH = re.compile(rb"[0-9a-f/]{40,67}")
DIGEST_SIZE = 8
_loads = json.loads
_scan: Any = json.JSONDecoder().scan_once  # type: ignore[attr-defined]

Row = tuple["tuple[Any, ...] | None", "tuple[Any, ...] | None", int]
"""(the record's fact as a plain tuple or None, its link or None, its line number)."""
Entry = tuple[int, bytes, list[Row]]
"""What one note blob holds: lines that could not be read, the 8-byte digests of the
others (concatenated), and their rows."""


@dataclass(frozen=True)
class TrailRead:
    """The fact of every distinct readable record a metric reads, the links the history
    side reads, and how many lines could not be read."""

    facts: tuple[Fact, ...]
    unreadable: int
    blobs_read: int
    blobs_cached: int
    links: TrailLinks = field(default_factory=TrailLinks)


def read_slim_trail(layout: RepoLayout, ref: str, *, pending: bool = True) -> TrailRead:
    """The facts and links of the records on ``ref`` (and, with ``pending``, in the
    journal)."""
    with cyclic_gc_paused():
        return SlimRead(layout, ref).run(pending)


SHARDS = 8
"""Each run that reads new blobs stores them in a shard of their own (a warm run with one
new note writes one small file, not the whole cache again; the two halves of a cold read
store theirs in parallel); past this many shards, a run merges them into one."""

CACHE_SHAPE_ERRORS = (TypeError, ValueError, KeyError, IndexError, AttributeError)
"""What reading a cache entry of the wrong shape raises: its blobs are read again."""


def cache_stem(layout: RepoLayout) -> Path:
    """The cache shards of this reader and schema in ``layout`` are ``<stem>.*.marshal``."""
    digest = hashlib.sha256(json.dumps(record_schema(), sort_keys=True).encode())
    return layout.state_dir / "cache" / f"trail-v{READER_VERSION}-{digest.hexdigest()[:16]}"


def _shard_path(stem: Path, blobs: list[str]) -> Path:
    tag = hashlib.blake2b("\n".join(blobs).encode(), digest_size=8).hexdigest()
    return stem.with_name(f"{stem.name}.{tag}.marshal")


def note_blobs(listing: bytes) -> list[tuple[str, str]]:
    """(annotated commit id, blob id) of every note in ``git ls-tree -r -z`` output of a
    notes tree, in tree order."""
    found: list[tuple[str, str]] = []
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, path = entry.partition(b"\t")
        parts = meta.split(b" ")
        if len(parts) != 3 or parts[1] != b"blob" or not _NOTE_PATH.fullmatch(path):
            continue
        annotated = path.replace(b"/", b"").decode()
        if len(annotated) in (40, 64):
            found.append((annotated, parts[2].decode()))
    return found


def list_notes(root: Path, rev: str) -> bytes | None:
    """``git ls-tree -r -z`` of the notes tree at ``rev``; None when there is none."""
    try:
        return output_bytes(root, "ls-tree", "-r", "-z", "--full-tree", "--end-of-options", rev)
    except GitError:
        return None  # no trail yet (or an unreadable ref: verify says which)


class SlimRead:
    """One read of the slim trail: list the notes, load the cache, read the blobs it
    lacks (storing them as a new shard), then assemble the facts and links in trail
    order. ``run`` does it all; ``evidence.verified_read`` drives the steps itself (it
    reads every blob anyway, and assembles one part of the notes while it reads the next).
    """

    def __init__(self, layout: RepoLayout, ref: str) -> None:
        self.layout = layout
        self.ref = ref
        self.stem = cache_stem(layout)
        self.shards: list[Path] = []

    def run(self, pending: bool) -> TrailRead:
        listing = list_notes(self.layout.root, self.ref)
        notes = note_blobs(listing) if listing is not None else []
        try:
            return self._run(pending, notes, self.load_cache())
        except CACHE_SHAPE_ERRORS:
            return self.reread(pending, notes)

    def reread(self, pending: bool, notes: list[tuple[str, str]]) -> TrailRead:
        """Every blob read again, as if nothing were cached (the cache had the wrong shape)."""
        return self._run(pending, notes, {})

    def _run(
        self, pending: bool, notes: list[tuple[str, str]], cached: dict[str, Entry]
    ) -> TrailRead:
        new = sorted({blob for _, blob in notes} - cached.keys())
        fresh = read_blobs(self.layout.root, new, store=self.store)
        assembly = Assembly()
        assembly.add(notes, cached, fresh)
        return self.finish(assembly, pending, notes, cached, fresh)

    def finish(
        self,
        assembly: Assembly,
        pending: bool,
        notes: list[tuple[str, str]],
        cached: dict[str, Entry],
        fresh: dict[str, Entry],
    ) -> TrailRead:
        """The trail read once ``assembly`` holds every note of ``notes``; ``fresh`` are the
        entries this run read (and stored), ``cached`` the others. With ``pending``, the
        journal's lines come last. Merges the shards when there are too many."""
        if fresh and len(self.shards) >= SHARDS:
            wanted = {blob for _, blob in notes}
            self._compact({**{blob: cached[blob] for blob in wanted & cached.keys()}, **fresh})
        if pending:
            self._journal(assembly)
        return TrailRead(
            tuple(assembly.facts),
            assembly.unreadable,
            len(fresh),
            len(notes) - len(fresh),
            assembly.collector.links(),
        )

    def _journal(self, assembly: Assembly) -> None:
        seen, facts, collector = assembly.seen, assembly.facts, assembly.collector
        journal = Journal(self.layout.state_dir)
        for path in [*journal.flushing(), *journal.sessions()]:
            try:
                data = path.read_bytes()
            except OSError:
                continue
            where = str(path)
            for number, raw in enumerate(data.split(b"\n"), 1):
                if not raw.strip():
                    continue
                digest = line_digest(raw)
                if digest in seen:
                    continue
                seen[digest] = None
                slim = slim_line(raw)
                if slim is None:
                    assembly.unreadable += 1
                    continue
                fact, link = slim
                if fact is not None:
                    facts.append(Fact._make((*fact[:-1], True)))
                if link is not None:
                    collector.add(link, [], where, number)

    def cached(self) -> bool:
        """Whether there is a cache at all (without reading it)."""
        try:
            return any(self.stem.parent.glob(f"{self.stem.name}.*.marshal"))
        except OSError:
            return False

    def load_cache(self) -> dict[str, Entry]:
        """The entries of every cached blob (a corrupt shard's blobs are left out)."""
        merged: dict[str, Entry] = {}
        try:
            self.shards = sorted(self.stem.parent.glob(f"{self.stem.name}.*.marshal"))
        except OSError:
            return {}
        for shard in self.shards:
            loaded = cache_file.load(shard)
            if isinstance(loaded, dict):  # else corrupt: its blobs are read again
                merged.update(loaded)
        return merged

    def store(self, payload: bytes, blobs: list[str]) -> None:
        """Keep one part of a read (already marshal'd) as a shard; run in both processes
        of a forked read."""
        cache_file.save_payload(_shard_path(self.stem, blobs), payload)

    def _compact(self, entries: dict[str, Entry]) -> None:
        merged = _shard_path(self.stem, sorted(entries))
        cache_file.save(merged, entries)
        with contextlib.suppress(OSError):
            self.shards = sorted(self.stem.parent.glob(f"{self.stem.name}.*.marshal"))
        for shard in self.shards:  # the older ones, and those this run stored
            if shard != merged:
                with contextlib.suppress(OSError):
                    shard.unlink()


class Assembly:
    """The facts and links of the notes added so far, in trail order: a line stored at
    several places counts once, at its first, its other places kept for the history side.
    Notes may be added in parts, each after the one before it."""

    def __init__(self) -> None:
        self.facts: list[Fact] = []
        self.collector = LinkCollector()
        self.seen: dict[bytes, list[str] | None] = {}
        self.unreadable = 0

    def add(
        self,
        notes: list[tuple[str, str]],
        cached: Mapping[str, Entry],
        fresh: Mapping[str, Entry],
    ) -> None:
        """The next ``notes``, each blob's entry from ``fresh`` or else ``cached``. Raises
        one of ``CACHE_SHAPE_ERRORS`` on an entry of the wrong shape."""
        facts, seen = self.facts, self.seen
        build = tuple.__new__  # Fact._make without its Python-level call
        add_link = self.collector.add
        for annotated, blob in notes:
            bad, digests, rows = fresh.get(blob) or cached[blob]
            self.unreadable += bad
            offset = 0
            for fact, link, line in rows:
                digest = digests[offset : offset + DIGEST_SIZE]
                offset += DIGEST_SIZE
                if digest in seen:
                    places = seen[digest]
                    if places is not None and annotated not in places:
                        places.append(annotated)
                    continue
                if link is None:
                    seen[digest] = None
                else:
                    places = seen[digest] = [annotated]
                    add_link(link, places, annotated, line)
                if fact is not None:
                    facts.append(build(Fact, fact))
            if offset != len(digests):
                raise ValueError("a cache entry whose digests and rows disagree")


PARALLEL_BLOBS = 1000
"""From this many unseen blobs on (a fresh clone's whole trail), a second process reads
half of them: parsing JSON is most of a cold run, and a machine has two cores or more."""


Store = Callable[[bytes, list[str]], None]


def read_blobs(
    root: Path,
    blobs: list[str],
    *,
    parallel_from: int = PARALLEL_BLOBS,
    store: Store | None = None,
) -> dict[str, Entry]:
    """The entry of each blob in ``blobs``; with many, half are read by a forked child
    (its own ``git cat-file``) while this process reads the rest. A child that fails, or
    a system without ``fork``, leaves its half to this process: the result is the same."""
    if len(blobs) < parallel_from:
        return _read_stored(root, blobs, store)
    middle = len(blobs) // 2
    mine, theirs = blobs[:middle], blobs[middle:]

    def read_theirs() -> bytes:  # in the child
        payload = marshal.dumps(_read_blobs(root, theirs))
        if store is not None:
            store(payload, theirs)
        return payload

    child = Forked.start(read_theirs)
    if child is None:
        return _read_stored(root, blobs, store)
    try:
        found = _read_stored(root, mine, store)
    finally:
        payload = child.result()
    try:
        theirs_read = marshal.loads(payload) if payload is not None else None  # noqa: S302
    except (EOFError, ValueError, TypeError):
        theirs_read = None
    if not isinstance(theirs_read, dict) or theirs_read.keys() != set(theirs):
        theirs_read = _read_stored(root, theirs, store)
    found.update(theirs_read)
    return found


class Forked:
    """Work done by a forked child while this process does its own: what the child
    returns (bytes) comes back through a pipe. ``start`` returns None where there is no
    second core or no ``fork``; ``result`` None when the child failed. Either way the
    caller does that work itself, so the result never depends on the fork."""

    def __init__(self, child: int, reader: int) -> None:
        self._child, self._reader = child, reader
        self._waited = False

    @classmethod
    def start(cls, work: Callable[[], bytes]) -> Forked | None:
        if not hasattr(os, "fork") or cores() < 2:
            return None
        reader, writer = os.pipe()
        try:
            child = os.fork()
        except OSError:
            os.close(reader)
            os.close(writer)
            return None
        if child == 0:  # pragma: no cover -- the child; coverage does not follow a fork
            status = 1
            try:
                os.close(reader)
                payload = work()
                with os.fdopen(writer, "wb") as out:
                    out.write(payload)
                status = 0
            finally:
                os._exit(status)
        os.close(writer)
        return cls(child, reader)

    def result(self) -> bytes | None:
        """The child's bytes once it has finished, or None when it failed (or they were
        taken already)."""
        if self._waited:
            return None
        self._waited = True
        with os.fdopen(self._reader, "rb") as result:
            payload = result.read()
        _pid, status = os.waitpid(self._child, 0)
        return payload if status == 0 else None

    def close(self) -> None:
        """Wait for the child if ``result`` has not: for a caller that fails first."""
        self.result()


def cores() -> int:
    """The cores this process may run on."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


def _read_stored(root: Path, blobs: list[str], store: Store | None) -> dict[str, Entry]:
    found = _read_blobs(root, blobs)
    if store is not None and found:
        store(marshal.dumps(found), blobs)
    return found


def _read_blobs(root: Path, blobs: list[str]) -> dict[str, Entry]:
    return {blob: _entry(content or b"") for blob, content in stream_objects(root, blobs)}


def _entry(content: bytes) -> Entry:
    """Read one note blob: its unreadable lines, and the digest and row of each other."""
    bad = 0
    digests: list[bytes] = []
    rows: list[Row] = []
    sha256 = hashlib.sha256
    for number, raw in enumerate(content.split(b"\n"), 1):
        if not raw or raw.isspace():
            continue
        slim = slim_line(raw)
        if slim is None:
            bad += 1
            continue
        digests.append(sha256(raw.rstrip(b"\r")).digest()[:DIGEST_SIZE])
        rows.append((slim[0], slim[1], number))
    return bad, b"".join(digests), rows


def slim_line(raw: bytes) -> tuple[Any, Any] | None:
    """The slim of one line, parsed as ``json.loads(raw)`` parses it: for a line that
    starts ``{`` (UTF-8, json's own detection) the C scanner is called directly, which
    skips three layers of Python per line; anything else goes through ``json.loads``."""
    try:
        if raw[:1] == b"{" and raw[1:2] != b"\0":
            text = raw.decode("utf-8", "surrogatepass")
            try:
                record, end = _scan(text, 0)
            except StopIteration:
                return None
            if end != len(text) and text[end:].strip(" \t\n\r"):
                return None  # what json.loads calls extra data
        else:
            record = _loads(raw)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError too
        return None
    return slim_of(record)


def line_digest(raw: bytes) -> bytes:
    """What an entry keeps of a readable line to know it again (a line stored at several
    places counts once; a trailing CR is not part of it): the first bytes of its sha256,
    the hash verify takes of every line, so that a reader doing both hashes each line
    once (``verified_read``: 0.14 s -> 0.07 s of hashing over 100,000 lines)."""
    return hashlib.sha256(raw.rstrip(b"\r")).digest()[:DIGEST_SIZE]
