"""Tamper evidence: check every session's hash chain and sequence in the trail.

Each record carries its session, ``seq`` (from 0, no gaps) and ``prev``, the sha256 of the
session's previous line. So, within a session ordered by ``seq``:

- a gap, or a first record whose seq is not 0, is a *missing* record;
- a record whose predecessor's hash is not its ``prev`` means the predecessor was *edited*
  (or replaced), unless ``prev`` is the hash of another record of the session, or another
  record chains to the predecessor: then this record was *moved* out of order (renumbered);
- two different lines claiming one seq are an edit or a fork (two writers sharing a session
  id); one line twice in one note is a *duplicate*.

Identical lines on several commits are copies made by amend, rebase or reattach, not
problems. Deleting a session's last records leaves no trace in the chain itself; where this
clone's journal remembers the chain's tip (``--pending``), that is checked too.

Read-only: safe in CI. Lines the reader cannot parse are problems as well.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from agentgov.audit.journal import Journal, session_file_name
from agentgov.audit.records import (
    DEFAULT_REF,
    Problem,
    Record,
    cyclic_gc_paused,
    place_text,
    read_trail,
)
from agentgov.errors import UsageError
from agentgov.git_layout import find_repo


@dataclass(frozen=True)
class JournalTip:
    """The ``.tip`` a flush left: the last seq it moved into notes and that line's sha256."""

    path: str
    seq: int
    digest: str


@dataclass(frozen=True)
class VerifyReport:
    """``problems`` in trail order (by session, then seq); clean when there are none."""

    records: int
    sessions: int
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_trail(repo: Path, ref: str = DEFAULT_REF, *, pending: bool = False) -> VerifyReport:
    """Check the trail on ``ref``; with ``pending``, journal lines and tips as well."""
    with cyclic_gc_paused():
        trail = read_trail(repo, ref, pending=pending, checked_cache=False)
        tips = _journal_tips(repo) if pending else {}
        problems = list(trail.problems)
        sessions = group_sessions(trail.records)
        for session in sorted(sessions):
            tip = tips.get(session_file_name(session))  # tips are kept under the file name
            problems.extend(check_session(session, sessions[session], tip))
        return VerifyReport(len(trail.records), len(sessions), tuple(problems))


def group_sessions(records: Iterable[Record]) -> dict[str, dict[int, list[Record]]]:
    """session -> seq -> the distinct records claiming that place."""
    sessions: dict[str, dict[int, list[Record]]] = {}
    for record in records:
        sessions.setdefault(record.session, {}).setdefault(record.seq, []).append(record)
    return sessions


def check_session(
    session: str, by_seq: dict[int, list[Record]], tip: JournalTip | None = None
) -> list[Problem]:
    """Every problem in one session's chain; ``tip`` is what this clone's journal flushed."""
    problems: list[Problem] = []
    every = [record for versions in by_seq.values() for record in versions]
    digest = {record.text: record.digest for record in every}  # each line hashed once
    by_digest = {digest[record.text]: record for record in every}
    successors: dict[str, list[Record]] = {}
    for record in every:
        successors.setdefault(str(record.record["prev"]), []).append(record)

    def report(record: Record, message: str) -> None:
        problems.append(
            Problem(
                record.where,
                f"session {session} seq {record.seq}: {message}",
                commit=record.commit,
                line=record.line,
                session=session,
                seq=record.seq,
            )
        )

    order = sorted(by_seq)
    if order[0] != 0:
        first = by_seq[order[0]][0]
        report(first, f"{_span(0, order[0] - 1)} missing: a session's chain starts at seq 0")
    for previous, seq in zip([None, *order[:-1]], order, strict=True):
        versions = by_seq[seq]
        if len(versions) > 1:
            report(
                versions[0],
                f"{len(versions)} different records claim this seq ({_places(versions)}): all "
                "but one were edited, or two writers used one session id",
            )
        if previous is not None and seq > previous + 1:
            report(
                versions[0],
                f"{_span(previous + 1, seq - 1)} missing (after seq {previous} at "
                f"{by_seq[previous][0].where})",
            )
        for record in versions:
            same_note = [line for commit, line in record.copies if commit == record.commit]
            if same_note:
                lines = ", ".join(str(line) for line in [record.line, *same_note])
                report(record, f"duplicated: the same record is on lines {lines} of this note")
            if seq == 0:
                if record.record["prev"] != "":
                    report(record, "seq 0 names a previous record: it is not a chain's start")
                continue
            if seq - 1 not in by_seq:
                continue  # reported as missing above
            before = by_seq[seq - 1]
            prev = record.record["prev"]
            if any(digest[candidate.text] == prev for candidate in before):
                continue
            moved = by_digest.get(prev)
            if moved is not None:
                report(
                    record,
                    f"out of order: it follows seq {moved.seq} ({moved.where}), not seq {seq - 1}",
                )
                continue
            followers = [
                other
                for candidate in before
                for other in successors.get(digest[candidate.text], [])
                if other is not record
            ]
            if followers:  # seq - 1 is intact: another record chains to it
                report(
                    record,
                    f"out of order: seq {seq - 1} is followed by seq {followers[0].seq} "
                    f"({followers[0].where}), and this record's prev names no record here",
                )
                continue
            for candidate in before:
                report(
                    candidate,
                    f"edited or replaced: its sha256 is not the prev that seq {seq} "
                    f"({record.where}) recorded",
                )
    if tip is not None:
        problems.extend(_check_tip(session, by_seq, order[-1], tip))
    return problems


def _check_tip(
    session: str, by_seq: dict[int, list[Record]], last: int, tip: JournalTip
) -> list[Problem]:
    seq, digest = tip.seq, tip.digest
    if seq > last:
        return [
            Problem(
                place_text(tip.path, 1),
                f"session {session}: {_span(last + 1, seq)} missing: this clone flushed up "
                f"to seq {seq}, the trail ends at seq {last}",
                session=session,
                seq=last + 1,
            )
        ]
    versions = by_seq.get(seq, [])
    if versions and not any(record.digest == digest for record in versions):
        record = versions[0]
        return [
            Problem(
                record.where,
                f"session {session} seq {seq}: edited or replaced: its sha256 is not the one "
                "this clone's journal recorded when it flushed it",
                commit=record.commit,
                line=record.line,
                session=session,
                seq=seq,
            )
        ]
    return []


def _journal_tips(repo: Path) -> dict[str, JournalTip]:
    """Session file name -> the chain's tip as this clone's last flush wrote it."""
    layout = find_repo(repo)
    if layout is None:
        raise UsageError(f"{repo}: not inside a git repository")
    tips: dict[str, JournalTip] = {}
    for path in sorted(Journal(layout.state_dir).directory.glob("*.tip")):
        try:
            seq_text, digest = path.read_text(encoding="utf-8").split()
            shown = (
                str(path.relative_to(layout.root))
                if path.is_relative_to(layout.root)
                else str(path)
            )
            tips[path.stem] = JournalTip(shown, int(seq_text), digest)
        except (OSError, ValueError):
            continue
    return tips


def _span(first: int, last: int) -> str:
    return f"record {first} is" if first == last else f"records {first}..{last} are"


def _places(records: Sequence[Record]) -> str:
    return ", ".join(record.where for record in records)
