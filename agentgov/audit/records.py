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

import hashlib
import json
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentgov.audit.journal import RECORD_VERSION, Journal
from agentgov.audit.record_check import compiled_check, schema_error
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


def read_trail(repo: Path, ref: str = DEFAULT_REF, *, pending: bool = False) -> Trail:
    """The whole trail at once, for commands that need both records and problems."""
    problems: list[Problem] = []
    records = tuple(iter_records(repo, ref, pending=pending, on_problem=problems.append))
    return Trail(records, tuple(problems))


def iter_records(
    repo: Path,
    ref: str = DEFAULT_REF,
    *,
    pending: bool = False,
    on_problem: Callable[[Problem], None] | None = None,
) -> Iterator[Record]:
    """Every distinct valid record on ``ref`` (and, with ``pending``, in the journal).

    ``repo`` is any directory inside the repository, or a bare repository (a server can
    verify what it holds). Bad lines go to ``on_problem`` (the problems channel) and are
    skipped. Records come in storage order (notes by annotated commit id, then line);
    callers that want a timeline sort by session and ``seq``.
    """
    layout = find_repo(repo)
    places = _note_lines(repo, ref)
    if pending:
        if layout is None:
            raise UsageError(f"{repo}: no work tree, so no journal of pending records")
        _journal_lines(layout, places)
    report = on_problem or (lambda _problem: None)
    check = compiled_check()
    for raw, where in places.items():
        first, *rest = where
        record, error = _parse(raw, check)
        location, line = first
        commit = None if os.path.isabs(location) else location
        if error is not None:
            copies = f" (also at {', '.join(place_text(*p) for p in rest)})" if rest else ""
            report(
                Problem(
                    place_text(_shown(layout, location), line),
                    f"{error}{copies}; line skipped: {_clipped(raw)}",
                    commit=commit,
                    line=line,
                )
            )
            continue
        assert record is not None  # _parse returns exactly one of the two
        yield Record(
            commit=commit,
            line=line,
            text=raw.decode("utf-8"),
            record=record,
            copies=tuple(rest),
            journal=None if commit is not None else _shown(layout, location),
        )


def _note_lines(repo: Path, ref: str) -> dict[bytes, list[Place]]:
    from agentgov.audit.notes import NotesStore  # pygit2: only where notes are read

    places: dict[bytes, list[Place]] = {}
    store = NotesStore(repo, ref)
    for commit, content in store.iter_notes():
        for number, raw in enumerate(content.split(b"\n"), 1):
            if raw.strip():  # blank lines are `git notes append` paragraph separators
                places.setdefault(raw, []).append((commit, number))
    return places


def _journal_lines(layout: RepoLayout, places: dict[bytes, list[Place]]) -> None:
    """Add pending journal lines; a line a flush already moved into notes is the same
    record (an interrupted flush leaves its ``.flushing`` file until the next one)."""
    journal = Journal(layout.state_dir)
    for path in [*journal.flushing(), *journal.sessions()]:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        for number, raw in enumerate(data.split(b"\n"), 1):
            if raw.strip() and raw not in places:
                places[raw] = [(str(path), number)]


def _parse(raw: bytes, check: Callable[[Any], bool]) -> tuple[dict[str, Any] | None, str | None]:
    try:
        record = json.loads(raw)
    except ValueError as err:  # UnicodeDecodeError is a ValueError too
        return None, f"not JSON ({err})"
    if not isinstance(record, dict):
        return None, f"not a JSON object but {type(record).__name__}"
    version = record.get("v")
    if version != RECORD_VERSION or type(version) is not int:
        if "v" not in record:
            return None, "not an audit record: no version field v"
        return None, (
            f"unknown record version v={json.dumps(version)}; this agentgov reads "
            f"v{RECORD_VERSION} (a newer agentgov wrote it? upgrade to read it)"
        )
    if check(record):
        return record, None
    error = schema_error(record)
    if error is None:  # the fast check is stricter than the schema here: jsonschema decides
        return record, None
    return None, f"not a valid v{RECORD_VERSION} record: {error}"


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
