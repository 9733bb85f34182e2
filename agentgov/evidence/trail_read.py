"""The trail as the metrics read it: each record's ``Fact``, cached per note blob.

Reading 100,000 records with ``audit.records.read_trail`` (parse every line, check it
against the schema) takes most of the 2 s that ``metrics`` and ``status`` may take
(docs/design.md, budgets). Metrics read a dozen fields of each record, and a note blob
never changes (its id names its content), so what was read from a blob once is kept in
``.git/agentgov/cache/`` and a later run reads no blob it has seen: one ``git ls-tree`` of
the notes ref, then the new blobs only. The cache's name carries the record schema's
digest and this reader's version, so a new schema or reader starts afresh.

Lines are read as ``read_trail`` reads them: a line that is not a valid v1 record is
skipped and counted, and a line stored at several places (amend, rebase, reattach copy
notes) counts once. ``audit verify`` never reads this cache: evidence a gate relies on is
measured in CI from a fresh clone, and tamper evidence does not rest on a file anyone with
the clone can write.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from agentgov.audit.git_process import output_bytes, stream_objects
from agentgov.audit.journal import RECORD_VERSION, Journal
from agentgov.audit.record_check import compiled_check, record_schema, schema_error
from agentgov.audit.records import Place, Record, cyclic_gc_paused
from agentgov.errors import GitError
from agentgov.evidence.trail_metrics import Fact, fact_of
from agentgov.git_layout import RepoLayout

READER_VERSION = 2
_NOTE_PATH = re.compile(rb"[0-9a-f/]{40,67}")

RECORD_KEYS = (
    "kind",
    "session",
    "seq",
    "ts",
    "source",
    "tool",
    "class",
    "level",
    "task_class",
    "decision",
    "sent",
    "event",
    "commit",
    "verdict",
    "detail",
    "tool_use_id",
)
"""The fields kept of each record for the history side (agent commits, reviews, CI,
incidents): a record's ``input`` and ``reason`` are most of its bytes and no metric reads
them."""
_MISSING = "\0"

Slim = tuple[bytes, int, tuple[Any, ...] | None, tuple[Any, ...]]
"""(8-byte digest of the line, its line number, the record's ``Fact`` as a plain tuple or
None, the values of ``RECORD_KEYS``)."""


@dataclass(frozen=True)
class TrailRead:
    """The fact of every distinct valid record a metric reads, and how many lines could
    not be read."""

    facts: tuple[Fact, ...]
    unreadable: int
    blobs_read: int
    blobs_cached: int
    _places: tuple[tuple[Place, tuple[Place, ...], tuple[Any, ...], str | None], ...] = ()

    def records(self) -> tuple[Record, ...]:
        """Every distinct valid record with the ``RECORD_KEYS`` fields only, where it is
        stored and its copies (``text`` is empty: these are for reading, not verifying)."""
        built = []
        for (where, line), copies, values, journal in self._places:
            record = {k: v for k, v in zip(RECORD_KEYS, values, strict=True) if v != _MISSING}
            commit = None if journal else where
            built.append(Record(commit, line, "", record, copies, journal))
        return tuple(built)


def read_slim_trail(layout: RepoLayout, ref: str, *, pending: bool = True) -> TrailRead:
    """The facts of the records on ``ref`` (and, with ``pending``, in the journal)."""
    with cyclic_gc_paused():
        return _Read(layout, ref).run(pending)


class _Read:
    def __init__(self, layout: RepoLayout, ref: str) -> None:
        self.layout = layout
        self.ref = ref
        digest = hashlib.sha256(json.dumps(record_schema(), sort_keys=True).encode())
        name = f"trail-fields-v{READER_VERSION}-{digest.hexdigest()[:16]}.marshal"
        self.cache_path = layout.state_dir / "cache" / name
        self.check = compiled_check()
        self.unreadable = 0

    def run(self, pending: bool) -> TrailRead:
        try:
            return self._run(pending, self._load_cache())
        except (TypeError, ValueError, KeyError, IndexError):  # a cache of the wrong shape
            self.unreadable = 0
            return self._run(pending, {})

    def _run(self, pending: bool, cached: dict[str, tuple[int, list[Slim]]]) -> TrailRead:
        notes = self._note_blobs()
        wanted = {blob for _, blob in notes}
        new = sorted(wanted - cached.keys())
        fresh: dict[str, tuple[int, list[Slim]]] = {}
        for blob, content in self._contents(new):
            fresh[blob] = self._slim_blob(content)
        if fresh:
            kept = {blob: cached[blob] for blob in wanted & cached.keys()}
            self._save_cache({**kept, **fresh})
        facts: list[Fact] = []
        seen: dict[bytes, int] = {}
        places: list[tuple[Place, list[Place], tuple[Any, ...], str | None]] = []
        make = Fact._make
        for annotated, blob in notes:
            bad, lines = fresh.get(blob) or cached[blob]
            self.unreadable += bad
            for digest, line, fact, values in lines:
                known = seen.get(digest)
                if known is not None:
                    places[known][1].append((annotated, line))
                    continue
                seen[digest] = len(places)
                places.append(((annotated, line), [], values, None))
                if fact is not None:
                    facts.append(make(fact))
        if pending:
            for place, fact, values in self._journal(seen):
                places.append((place, [], values, place[0]))
                if fact is not None:
                    facts.append(fact)
        return TrailRead(
            tuple(facts),
            self.unreadable,
            len(fresh),
            len(notes) - len(fresh),
            tuple(
                (where, tuple(copies), values, journal) for where, copies, values, journal in places
            ),
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

    def _contents(self, blobs: list[str]) -> Iterator[tuple[str, bytes]]:
        for blob, content in stream_objects(self.layout.root, blobs):
            yield blob, content or b""

    def _slim_blob(self, content: bytes) -> tuple[int, list[Slim]]:
        bad = 0
        lines: list[Slim] = []
        for number, raw in enumerate(content.split(b"\n"), 1):
            if not raw or raw.isspace():
                continue
            record = self._record(raw)
            if record is None:
                bad += 1
                continue
            fact = fact_of(record)
            lines.append(
                (_digest(raw), number, None if fact is None else tuple(fact), _values(record))
            )
        return bad, lines

    def _record(self, raw: bytes) -> dict[str, Any] | None:
        try:
            record = json.loads(raw)
        except ValueError:
            return None
        if type(record) is not dict or record.get("v") != RECORD_VERSION:
            return None
        if type(record["v"]) is not int:
            return None
        if self.check(record) or schema_error(record) is None:
            return record
        return None

    def _journal(
        self, seen: dict[bytes, int]
    ) -> Iterator[tuple[Place, Fact | None, tuple[Any, ...]]]:
        journal = Journal(self.layout.state_dir)
        for path in [*journal.flushing(), *journal.sessions()]:
            try:
                data = path.read_bytes()
            except OSError:
                continue
            for number, raw in enumerate(data.split(b"\n"), 1):
                if not raw.strip():
                    continue
                digest = _digest(raw)
                if digest in seen:
                    continue
                seen[digest] = -1
                record = self._record(raw)
                if record is None:
                    self.unreadable += 1
                    continue
                yield (str(path), number), fact_of(record, pending=True), _values(record)

    def _load_cache(self) -> dict[str, tuple[int, list[Slim]]]:
        try:
            # marshal, not pickle: it builds plain values and runs nothing; a cache of the
            # wrong shape makes ``run`` read the blobs again
            data = marshal.loads(self.cache_path.read_bytes())  # noqa: S302
        except (OSError, EOFError, ValueError, TypeError):
            return {}
        return data if isinstance(data, dict) else {}

    def _save_cache(self, blobs: dict[str, tuple[int, list[Slim]]]) -> None:
        """Best effort, atomic: a run never fails because its cache could not be written,
        and a reader never sees half a cache."""
        temporary = self.cache_path.with_name(f"{self.cache_path.name}.{os.getpid()}.tmp")
        try:
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(marshal.dumps(blobs))
            os.replace(temporary, self.cache_path)
        except (OSError, ValueError):
            with contextlib.suppress(OSError):
                temporary.unlink()


def _values(record: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(record.get(key, _MISSING) for key in RECORD_KEYS)


def _digest(raw: bytes) -> bytes:
    return hashlib.blake2b(raw.rstrip(b"\r"), digest_size=8).digest()
