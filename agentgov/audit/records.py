"""Reading the audit trail: every record in the notes (and the journal), checked, located.

The reader is what ``log``, ``audit verify`` and the escalation metrics stand on, so it
never crashes on bad data: a line that is not JSON, has an unknown version ``v``, or fails
the record schema is reported as a ``Problem`` with its place (commit and line number),
skipped, and counted by the caller. Notes are read from the notes trees alone, which do
not need the annotated commits, so a shallow clone reads the whole trail.

One record can sit on several commits: amend and rebase copy notes to the new commit and
leave the old note behind, and ``audit reattach`` copies a pull request's records onto the
commit it landed as. Such copies are the same line byte for byte, so the reader yields each
distinct line once, at its first place, and lists the other places in ``copies``; metrics
never count a rebased record twice.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentgov.audit.journal import RECORD_VERSION, Journal
from agentgov.audit.record_check import compiled_check, record_schema, schema_error
from agentgov.errors import UsageError
from agentgov.git_layout import RepoLayout, find_repo

DEFAULT_REF = "refs/notes/agentgov"
SHORT = 12
"""Characters of a commit id shown in messages: unambiguous in any real repository."""

Place = tuple[str, int]
"""(commit id, or the absolute path of a journal file for a pending line; line from 1)."""


@dataclass(frozen=True, slots=True)
class Record:
    """One valid audit record and where it is stored.

    ``commit`` is the annotated commit whose note holds the line, or None while the record
    is still pending in the journal (then ``journal`` names the file). ``line`` counts from
    1 within that note or file. ``text`` is the line exactly as stored: the hash chain is
    over these bytes. ``copies`` are the other places holding the same line.
    """

    commit: str | None
    line: int
    text: str
    record: Mapping[str, Any]
    copies: tuple[Place, ...] = ()
    journal: str | None = None

    @property
    def pending(self) -> bool:
        return self.commit is None

    @property
    def session(self) -> str:
        return str(self.record["session"])

    @property
    def seq(self) -> int:
        return int(self.record["seq"])

    @property
    def digest(self) -> str:
        """sha256 of the line: what the next record of the session names as ``prev``."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def where(self) -> str:
        return place_text(self.commit or self.journal or "?", self.line)


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong in the trail, at a place a person can open.

    ``where`` reads like ``file:line``: ``<commit>:<line>`` for a note (see it with
    ``git notes --ref agentgov show <commit>``), ``<journal file>:<line>`` for a pending
    line. ``session`` and ``seq`` are set when the problem is about a known record.
    """

    where: str
    message: str
    commit: str | None = None
    line: int | None = None
    session: str | None = None
    seq: int | None = None
    raw: bytes = field(default=b"", repr=False, compare=False)
    kind: str = "unreadable"
    """What is wrong, for machines: ``unreadable``, ``missing``, ``edited``,
    ``out-of-order``, ``duplicated``, ``fork`` (the chain at the tip); ``line-removed``,
    ``line-changed`` (a notes commit took a line away); ``tip-missing``, ``tip-changed``
    (an anchored session tip is gone); ``unsigned``, ``bad-signature``,
    ``unverified-signature`` (the notes commits' signatures)."""
    notes_commit: str | None = None
    """The notes commit the problem is about (which removed the line, anchored the tip,
    or carries the signature), when there is one."""

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True)
class Trail:
    """Every record read, and every line that could not be read as one."""

    records: tuple[Record, ...]
    problems: tuple[Problem, ...]


def place_text(where: str, line: int) -> str:
    short = where[:SHORT] if len(where) in (40, 64) and "/" not in where else where
    return f"{short}:{line}"


def read_trail(
    repo: Path, ref: str = DEFAULT_REF, *, pending: bool = False, checked_cache: bool = True
) -> Trail:
    """The whole trail at once, for commands that need both records and problems."""
    problems: list[Problem] = []
    records = tuple(
        iter_records(
            repo, ref, pending=pending, on_problem=problems.append, checked_cache=checked_cache
        )
    )
    return Trail(records, tuple(problems))


def iter_records(
    repo: Path,
    ref: str = DEFAULT_REF,
    *,
    pending: bool = False,
    on_problem: Callable[[Problem], None] | None = None,
    checked_cache: bool = True,
) -> Iterator[Record]:
    """Every distinct valid record on ``ref`` (and, with ``pending``, in the journal).

    ``repo`` is any directory inside the repository, or a bare repository (a server can
    verify what it holds). Bad lines go to ``on_problem`` (the problems channel) and are
    skipped. Records come in storage order (notes by annotated commit id, then line);
    callers that want a timeline sort by session and ``seq``.

    With ``checked_cache``, note blobs whose every line already passed the schema check
    are not checked again (see ``_CheckedBlobs``); they are still parsed, and a line that
    is not a v1 JSON object is still reported.
    """
    layout = find_repo(repo)
    if pending and layout is None:
        raise UsageError(f"{repo}: no work tree, so no journal of pending records")
    report = on_problem or (lambda _problem: None)
    cache = _CheckedBlobs(layout) if checked_cache and layout is not None else None
    reader = _Reader(layout, cache.known if cache else frozenset())
    with cyclic_gc_paused():
        reader.notes(repo, ref)
        if pending and layout is not None:
            reader.journal(layout)
        read = reader.results()
        if cache is not None:
            cache.remember(reader.passed_blobs())
        del reader  # its raw lines (a copy of the whole trail) are not needed any more
    for item in read:
        if isinstance(item, Problem):
            report(item)
        else:
            yield item


class _Reader:
    """One pass over the trail: each distinct line parsed and checked when first seen.

    Parsing as lines arrive, rather than after collecting them, lets git inflate the next
    note blobs on another core meanwhile. At 100,000 records every microsecond a line
    counts, so the common case is inline and anything unusual goes through ``_parse``
    for its message. Lines from blobs in ``checked`` (see ``_CheckedBlobs``) skip the
    schema check; they are still parsed.
    """

    def __init__(self, layout: RepoLayout | None, checked: frozenset[str]) -> None:
        self.layout = layout
        self.checked = checked
        self.first: dict[bytes, tuple[str, int, str, dict[str, Any] | None, str | None]] = {}
        self.more: dict[bytes, list[Place]] = {}
        self.pending: set[bytes] = set()
        self.unchecked: dict[str, list[bytes]] = {}
        self.failed: set[bytes] = set()
        self._check = compiled_check()

    def notes(self, repo: Path, ref: str) -> None:
        from agentgov.audit.notes import NotesStore  # pygit2: only where notes are read

        first, more, checked = self.first, self.more, self.checked
        for commit, blob, content in NotesStore(repo, ref).iter_note_blobs():
            trusted = blob in checked
            raws = []
            for number, raw in enumerate(content.split(b"\n"), 1):
                if not raw or raw.isspace():  # a `git notes append` paragraph separator
                    continue
                raws.append(raw)
                if raw in first:
                    more.setdefault(raw, []).append((commit, number))
                else:
                    first[raw] = (commit, number, *self._parse(raw, trusted))
            if not trusted:
                self.unchecked[blob] = raws

    def journal(self, layout: RepoLayout) -> None:
        """Pending journal lines; a line a flush already moved into notes is the same
        record (an interrupted flush leaves its ``.flushing`` file until the next one)."""
        journal = Journal(layout.state_dir)
        for path in [*journal.flushing(), *journal.sessions()]:
            try:
                data = path.read_bytes()
            except OSError:
                continue
            for number, raw in enumerate(data.split(b"\n"), 1):
                if raw.strip() and raw not in self.first:
                    self.first[raw] = (str(path), number, *self._parse(raw, False))
                    self.pending.add(raw)

    def _parse(self, raw: bytes, trusted: bool) -> tuple[str, dict[str, Any] | None, str | None]:
        text, record, error, _exact = parse_line(raw, self._check, trusted)
        if error is not None and text:  # JSON that fails the schema: its blob is not cached
            self.failed.add(raw)
        return text, record, error

    def results(self) -> list[Record | Problem]:
        layout, more, pending = self.layout, self.more, self.pending
        read: list[Record | Problem] = []
        for raw, (location, line, text, record, error) in self.first.items():
            if record is None:
                read.append(
                    unreadable_problem(layout, location, line, raw, error or "", more.get(raw))
                )
                continue
            is_pending = raw in pending
            read.append(
                Record(
                    commit=None if is_pending else location,
                    line=line,
                    text=text,
                    record=record,
                    copies=tuple(more[raw]) if raw in more else (),
                    journal=_shown(layout, location) if is_pending else None,
                )
            )
        return read

    def passed_blobs(self) -> Iterator[str]:
        failed = self.failed
        for blob, raws in self.unchecked.items():
            if not any(raw in failed for raw in raws):
                yield blob


class _CheckedBlobs:
    """Note blobs whose every line passed the schema check, remembered across reads.

    Checking 100,000 records against the schema costs 0.4 s of the 2 s budget for reading
    them (docs/design.md#7-budgets). A blob id names its content exactly and a blob never
    changes, so a blob that passed once passes again under the same schema; the file name
    carries the schema's digest, so a new schema starts afresh. The cache lives in
    ``.git/agentgov/cache/``. ``audit verify`` never uses it: tamper evidence does not
    rest on a file anyone with the clone can write.
    """

    def __init__(self, layout: RepoLayout) -> None:
        digest = hashlib.sha256(json.dumps(record_schema(), sort_keys=True).encode()).hexdigest()
        self.path = layout.state_dir / "cache" / f"checked-notes-{digest[:16]}"
        try:
            self.known: frozenset[str] = frozenset(self.path.read_text("ascii").split())
        except (OSError, ValueError):
            self.known = frozenset()

    def remember(self, blobs: Iterable[str]) -> None:
        new = "".join(f"{blob}\n" for blob in blobs)
        if not new:
            return
        try:  # best effort: a read never fails because its cache could not be written
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="ascii") as handle:
                handle.write(new)  # one O_APPEND write: concurrent readers add whole lines
        except OSError:
            pass


LineRead = tuple[str, "dict[str, Any] | None", "str | None", bool]
"""(the line's text, its record or None, why not, whether the compiled check passed it)."""


def parse_line(raw: bytes, check: Callable[[Any], bool], trusted: bool = False) -> LineRead:
    """One stored line as the reader reads it: its text, the record or None, why not, and
    whether ``check`` (``record_check.compiled_check``) passed it, so that every field is
    of the exact type the schema gives it (False when jsonschema alone accepted it, or
    ``trusted`` skipped the check).

    The text is the line decoded, the bytes the hash chain is over; it is empty for a line
    that is not UTF-8 JSON as it stands but that ``json.loads`` still reads from bytes (a
    byte-order mark, an encoded surrogate). ``trusted`` skips the schema check (a blob
    that passed it before, see ``_CheckedBlobs``). The common case is inline; anything
    unusual goes through ``_parse`` for its message.
    """
    try:
        text = raw.decode("utf-8")
        record = _loads(text)
    except (ValueError, RecursionError):  # RecursionError: JSON nested too deep to read
        return "", *_parse(raw, check)
    if type(record) is dict and record.get("v") == RECORD_VERSION and type(record["v"]) is int:
        if trusted:
            return text, record, None, False
        if check(record):
            return text, record, None, True
    return text, *_parse(raw, check)


_scan: Any = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def _loads(text: str) -> Any:
    """``json.loads(text)``, with json's C scanner called directly for a line that is one
    object and nothing else: it skips three layers of Python per line (measured: 0.47 s
    -> 0.38 s for 100,000 records). Anything else, and any error, is json.loads's own."""
    if text[:1] == "{":
        try:
            record, end = _scan(text, 0)
        except (StopIteration, ValueError):
            return json.loads(text)  # raises json's own error for the message
        if end == len(text) or not text[end:].strip(" \t\n\r"):  # json's whitespace
            return record
    return json.loads(text)


def unreadable_problem(
    layout: RepoLayout | None,
    location: str,
    line: int,
    raw: bytes,
    error: str,
    copies: list[Place] | None,
) -> Problem:
    """The problem of a line that is not a record, at ``location`` (a commit, or a journal
    file's absolute path) and ``line``, naming the other places that hold it."""
    also = f" (also at {', '.join(place_text(*p) for p in copies)})" if copies else ""
    commit = None if os.path.isabs(location) else location
    return Problem(
        place_text(_shown(layout, location), line),
        f"{error}{also}; line skipped: {_clipped(raw)}",
        commit=commit,
        line=line,
        raw=raw,
    )


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while many records are built or walked.

    Building 100,000 record dicts triggers the collector over and over, each pass walking
    every object made so far: 1.2 s of a 2.5 s read, and as much again in whatever walks
    the records next. Records hold no cycles, so there is nothing for it to find;
    reference counting frees them as usual. Commands that read the whole trail (log,
    verify) run entirely inside this."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _parse(
    raw: bytes, check: Callable[[Any], bool]
) -> tuple[dict[str, Any] | None, str | None, bool]:
    try:
        record = json.loads(raw)
    except ValueError as err:  # UnicodeDecodeError is a ValueError too
        return None, f"not JSON ({err})", False
    except RecursionError:
        return None, "not JSON (nested too deep to read)", False
    if not isinstance(record, dict):
        return None, f"not a JSON object but {type(record).__name__}", False
    version = record.get("v")
    if version != RECORD_VERSION or type(version) is not int:
        if "v" not in record:
            return None, "not an audit record: no version field v", False
        return (
            None,
            (
                f"unknown record version v={json.dumps(version)}; this agentgov reads "
                f"v{RECORD_VERSION} (a newer agentgov wrote it? upgrade to read it)"
            ),
            False,
        )
    if check(record):
        return record, None, True
    error = schema_error(record)
    if error is None:  # the fast check is stricter than the schema here: jsonschema decides
        return record, None, False
    return None, f"not a valid v{RECORD_VERSION} record: {error}", False


def _shown(layout: RepoLayout | None, location: str) -> str:
    """A journal path relative to the work tree (``.git/agentgov/journal/x.jsonl``)."""
    if layout is None or not os.path.isabs(location):
        return location
    try:
        return str(Path(location).relative_to(layout.root))
    except ValueError:
        return location


def _clipped(raw: bytes, limit: int = 120) -> str:
    text = raw.decode("utf-8", errors="replace")
    return text if len(text) <= limit else text[:limit] + "…"
