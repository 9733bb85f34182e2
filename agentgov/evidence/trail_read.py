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
from collections.abc import Callable
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

READER_VERSION = 3
_NOTE_PATH = re.compile(rb"[0-9a-f/]{40,67}")
_DIGEST = 8
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
        return _Read(layout, ref).run(pending)


SHARDS = 8
"""Each run that reads new blobs stores them in a shard of their own (a warm run with one
new note writes one small file, not the whole cache again; the two halves of a cold read
store theirs in parallel); past this many shards, a run merges them into one."""


def cache_stem(layout: RepoLayout) -> Path:
    """The cache shards of this reader and schema in ``layout`` are ``<stem>.*.marshal``."""
    digest = hashlib.sha256(json.dumps(record_schema(), sort_keys=True).encode())
    return layout.state_dir / "cache" / f"trail-v{READER_VERSION}-{digest.hexdigest()[:16]}"


def _shard_path(stem: Path, blobs: list[str]) -> Path:
    tag = hashlib.blake2b("\n".join(blobs).encode(), digest_size=8).hexdigest()
    return stem.with_name(f"{stem.name}.{tag}.marshal")


class _Read:
    def __init__(self, layout: RepoLayout, ref: str) -> None:
        self.layout = layout
        self.ref = ref
        self.stem = cache_stem(layout)
        self.shards: list[Path] = []
        self.unreadable = 0

    def run(self, pending: bool) -> TrailRead:
        notes = self._note_blobs()
        try:
            return self._run(pending, notes, self._load_cache())
        except (TypeError, ValueError, KeyError, IndexError, AttributeError):
            self.unreadable = 0  # a cache of the wrong shape: read every blob again
            return self._run(pending, notes, {})

    def _run(
        self, pending: bool, notes: list[tuple[str, str]], cached: dict[str, Entry]
    ) -> TrailRead:
        wanted = {blob for _, blob in notes}
        new = sorted(wanted - cached.keys())
        fresh = read_blobs(self.layout.root, new, store=self._store)
        if fresh and len(self.shards) >= SHARDS:
            self._compact({**{blob: cached[blob] for blob in wanted & cached.keys()}, **fresh})
        facts: list[Fact] = []
        collector = LinkCollector()
        seen: dict[bytes, list[str] | None] = {}
        build = tuple.__new__  # Fact._make without its Python-level call
        add_link = collector.add
        for annotated, blob in notes:
            bad, digests, rows = fresh.get(blob) or cached[blob]
            self.unreadable += bad
            offset = 0
            for fact, link, line in rows:
                digest = digests[offset : offset + _DIGEST]
                offset += _DIGEST
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
        if pending:
            self._journal(seen, facts, collector)
        return TrailRead(
            tuple(facts), self.unreadable, len(fresh), len(notes) - len(fresh), collector.links()
        )

    def _note_blobs(self) -> list[tuple[str, str]]:
        """(annotated commit id, blob id) of every note on the ref, in tree order."""
        try:
            listing = output_bytes(
                self.layout.root, "ls-tree", "-r", "-z", "--full-tree", "--end-of-options", self.ref
            )
        except GitError:
            return []  # no trail yet (or an unreadable ref: verify says which)
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

    def _journal(
        self, seen: dict[bytes, list[str] | None], facts: list[Fact], collector: LinkCollector
    ) -> None:
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
                digest = _digest(raw)
                if digest in seen:
                    continue
                seen[digest] = None
                slim = _slim_line(raw)
                if slim is None:
                    self.unreadable += 1
                    continue
                fact, link = slim
                if fact is not None:
                    facts.append(Fact._make((*fact[:-1], True)))
                if link is not None:
                    collector.add(link, [], where, number)

    def _load_cache(self) -> dict[str, Entry]:
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

    def _store(self, payload: bytes, blobs: list[str]) -> None:
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
    if len(blobs) < parallel_from or not hasattr(os, "fork") or _cores() < 2:
        return _read_stored(root, blobs, store)
    middle = len(blobs) // 2
    mine, theirs = blobs[:middle], blobs[middle:]
    reader, writer = os.pipe()
    try:
        child = os.fork()
    except OSError:
        os.close(reader)
        os.close(writer)
        return _read_stored(root, blobs, store)
    if child == 0:  # pragma: no cover -- the child; coverage does not follow a fork
        status = 1
        try:
            os.close(reader)
            payload = marshal.dumps(_read_blobs(root, theirs))
            if store is not None:
                store(payload, theirs)
            with os.fdopen(writer, "wb") as out:
                out.write(payload)
            status = 0
        finally:
            os._exit(status)
    os.close(writer)
    try:
        found = _read_stored(root, mine, store)
    finally:
        with os.fdopen(reader, "rb") as result:
            payload = result.read()
        _pid, status = os.waitpid(child, 0)
    try:
        theirs_read = marshal.loads(payload) if status == 0 else None  # noqa: S302
    except (EOFError, ValueError, TypeError):
        theirs_read = None
    if not isinstance(theirs_read, dict) or theirs_read.keys() != set(theirs):
        theirs_read = _read_stored(root, theirs, store)
    found.update(theirs_read)
    return found


def _cores() -> int:
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
    blake = hashlib.blake2b
    for number, raw in enumerate(content.split(b"\n"), 1):
        if not raw or raw.isspace():
            continue
        slim = _slim_line(raw)
        if slim is None:
            bad += 1
            continue
        digests.append(blake(raw.rstrip(b"\r"), digest_size=_DIGEST).digest())
        rows.append((slim[0], slim[1], number))
    return bad, b"".join(digests), rows


def _slim_line(raw: bytes) -> tuple[Any, Any] | None:
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


def _digest(raw: bytes) -> bytes:
    return hashlib.blake2b(raw.rstrip(b"\r"), digest_size=_DIGEST).digest()
