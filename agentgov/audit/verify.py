"""Tamper evidence: the notes ref's history, every session's hash chain, anchors, signatures.

Four checks, each a different way to catch a rewrite:

1. The notes history (``notes_history``): every notes commit may only add lines; one that
   removes or changes a line its parent held is named (``line-removed``, ``line-changed``),
   even when the rewritten chain is consistent again.
2. The chains at the tip, below.
3. Anchors: each flush names the tips of the sessions it moved in its notes commit's
   message; a tip that is gone (``tip-missing``) or whose line changed (``tip-changed``)
   is reported, in any clone that has the notes history.
4. Signatures: a badly signed notes commit is always a problem; with ``signed``, so is
   one that is unsigned or whose signature git cannot check.

Each record carries its session, ``seq`` (from 0, no gaps) and ``prev``, the sha256 of the
session's previous line. So, within a session ordered by ``seq``:

- a gap, or a first record whose seq is not 0, is a *missing* record;
- a record whose predecessor's hash is not its ``prev`` means the predecessor was *edited*
  (or replaced), unless ``prev`` is the hash of another record of the session, or another
  record chains to the predecessor: then this record was *moved* out of order (renumbered);
- two different lines claiming one seq are an edit or a fork (two writers sharing a session
  id); one line twice in one note is a *duplicate*.

Identical lines on several commits are copies made by amend, rebase or reattach, not
problems. Deleting a session's last records leaves no trace in the chain itself: the
anchors and the history catch it, and where this clone's journal remembers the chain's tip
(``--pending``), that is checked too.

What none of this can see from inside one clone is a notes ref replaced by a whole new
history (a new root): nothing of the old one is left to compare with. That is caught where
the old history still is: the pre-push hook refuses a notes push that is not a
fast-forward, another clone's union merge brings the old lines back beside the forged
ones (two records claiming one seq), and a required signature cannot be forged.

Read-only: safe in CI. Lines the reader cannot parse are problems as well.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from agentgov.audit.git_process import resolve_commit
from agentgov.audit.journal import Journal, session_file_name
from agentgov.audit.notes_history import (
    Anchor,
    LostLine,
    NotesCommit,
    NotesHistory,
    Signature,
    signatures,
    start_history,
)
from agentgov.audit.records import (
    DEFAULT_REF,
    SHORT,
    Place,
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
    """``problems`` in order: the notes history, signatures, unreadable lines, the chains
    (by session, then seq), anchors. Clean when there are none.

    ``found`` is False when the notes ref does not exist (a clone that never fetched the
    trail). ``notes_commits`` and ``signed`` count the notes history's commits.
    """

    records: int
    sessions: int
    problems: tuple[Problem, ...]
    found: bool = True
    notes_commits: int = 0
    signed: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_trail(
    repo: Path,
    ref: str = DEFAULT_REF,
    *,
    pending: bool = False,
    signed: bool = False,
    history: bool = True,
) -> VerifyReport:
    """Check the trail on ``ref``; with ``pending``, journal lines and tips as well; with
    ``signed``, every notes commit must carry a good signature. ``history`` False skips
    the history, anchor and signature checks (the chains alone, for comparison)."""
    with cyclic_gc_paused():
        tip = resolve_commit(repo, ref)
        if tip is None and not pending:
            return VerifyReport(0, 0, (), found=False)
        # git walks the notes history in the background while the trail is read here.
        walk = start_history(repo, tip) if tip is not None and history else None
        try:
            trail = read_trail(repo, ref, pending=pending, checked_cache=False)
            notes = walk.finish() if walk is not None else None
        finally:
            if walk is not None:
                walk.close()  # a no-op once finished
        tips = _journal_tips(repo) if pending else {}
        sessions = group_sessions(chained(record) for record in trail.records)
        return judged(
            repo, notes, trail.problems, sessions, tips, signed=signed, found=tip is not None
        )


class Chained(NamedTuple):
    """What the chain checks read of one distinct record line: its place in its session,
    the ``prev`` it names, the sha256 of the line (what the next record names), and where
    it is stored (``commit`` and ``line``, the other places in ``copies``; ``journal`` for a
    pending line). A named tuple: 100,000 of them are made per verify."""

    session: str
    seq: int
    prev: str
    digest: str
    commit: str | None
    line: int
    copies: tuple[Place, ...] = ()
    journal: str | None = None

    @property
    def where(self) -> str:
        return place_text(self.commit or self.journal or "?", self.line)


def chained(record: Record) -> Chained:
    return Chained(
        record.session,
        record.seq,
        str(record.record["prev"]),
        record.digest,
        record.commit,
        record.line,
        record.copies,
        record.journal,
    )


Sessions = dict[str, dict[int, list[Chained]]]
"""session -> seq -> the distinct records claiming that place, in trail order."""


def judged(
    repo: Path,
    notes: NotesHistory | None,
    unreadable: Iterable[Problem],
    sessions: Sessions,
    tips: Mapping[str, JournalTip],
    *,
    signed: bool,
    found: bool,
) -> VerifyReport:
    """The report on a trail read: the notes history's lost lines and signatures (when it
    was walked), the ``unreadable`` lines, every session's chain, the anchors."""
    problems: list[Problem] = []
    commits: tuple[NotesCommit, ...] = ()
    anchors: tuple[Anchor, ...] = ()
    if notes is not None:
        commits, anchors = notes.commits, notes.anchors
        problems.extend(lost_line_problem(lost) for lost in notes.lost)
        problems.extend(signature_problems(commits, signatures(repo, commits), signed))
    problems.extend(unreadable)
    for session in sorted(sessions):
        journal_tip = tips.get(session_file_name(session))  # kept under the file name
        problems.extend(check_session(session, sessions[session], journal_tip))
    problems.extend(check_anchors(anchors, sessions))
    return VerifyReport(
        sum(sum(map(len, by_seq.values())) for by_seq in sessions.values()),
        len(sessions),
        tuple(problems),
        found=found,
        notes_commits=len(commits),
        signed=sum(1 for commit in commits if commit.signed),
    )


def lost_line_problem(lost: LostLine) -> Problem:
    """A line a notes commit took away, named with that commit and the record's place."""
    commit, parent = lost.notes_commit[:SHORT], lost.parent[:SHORT]
    place = lost.record
    rule = "a notes commit may only add lines"
    if place is None:
        return Problem(
            place_text(lost.annotated, lost.line),
            f"a line its parent {parent} held was removed by notes commit {commit} ({rule}): "
            f"{_clipped(lost.text)}",
            commit=lost.annotated,
            line=lost.line,
            kind="line-removed",
            notes_commit=lost.notes_commit,
        )
    session, seq = place
    if lost.replaced_by is not None:
        what = f"changed by notes commit {commit}: its parent {parent} held another version of it"
        kind = "line-changed"
    else:
        what = f"removed by notes commit {commit}: its parent {parent} held it"
        kind = "line-removed"
    return Problem(
        place_text(lost.annotated, lost.line),
        f"session {session} seq {seq}: {what} ({rule})",
        commit=lost.annotated,
        line=lost.line,
        session=session,
        seq=seq,
        kind=kind,
        notes_commit=lost.notes_commit,
    )


_SIGNATURE_TROUBLE = {
    "U": "signed by a key that is not an allowed signer (ssh: not in "
    "gpg.ssh.allowedSignersFile; openpgp: a key git does not trust)",
    "X": "signed with a signature that has expired",
    "Y": "signed with a key that has expired",
    "E": "signed, but git cannot check the signature (for ssh keys, list the signer in "
    "gpg.ssh.allowedSignersFile; for openpgp, import the public key)",
    "N": "signed, but git cannot check the signature (for ssh keys, set "
    "gpg.ssh.allowedSignersFile to a file of allowed signers)",
}


def signature_problems(
    commits: Sequence[NotesCommit], verdicts: Sequence[Signature], required: bool
) -> list[Problem]:
    """Bad or revoked signatures always; with ``required``, unsigned or uncheckable ones."""
    by_commit = {verdict.notes_commit: verdict for verdict in verdicts}
    problems: list[Problem] = []
    for commit in commits:
        verdict = by_commit.get(commit.id)
        short = commit.id[:SHORT]
        status = verdict.status if verdict is not None else ("E" if commit.signed else "")
        message = None
        kind = "unverified-signature"
        if status == "B":
            key = f" (key {verdict.key})" if verdict is not None and verdict.key else ""
            message = (
                f"bad signature{key}: the notes commit was changed after it was signed, or "
                "the signature was never made by that key"
            )
            kind = "bad-signature"
        elif status == "R":
            message = "signed with a revoked key"
            kind = "bad-signature"
        elif not commit.signed and required:
            message = "not signed, and --signed requires every notes commit to be"
            kind = "unsigned"
        elif required and status in _SIGNATURE_TROUBLE:
            message = _SIGNATURE_TROUBLE[status]
        if message is not None:
            problems.append(
                Problem(
                    short, f"notes commit {short}: {message}", kind=kind, notes_commit=commit.id
                )
            )
    return problems


def check_anchors(anchors: Sequence[Anchor], sessions: Sessions) -> list[Problem]:
    """Every anchored session tip is still in the trail, as the line it was."""
    problems: list[Problem] = []
    beyond: dict[str, Anchor] = {}
    for anchor in anchors:
        by_seq = sessions.get(anchor.session, {})
        last = max(by_seq) if by_seq else -1
        if anchor.seq > last:
            best = beyond.get(anchor.session)
            if best is None or anchor.seq > best.seq:
                beyond[anchor.session] = anchor
            continue
        versions = by_seq.get(anchor.seq, [])
        if versions and not any(record.digest == anchor.digest for record in versions):
            record = versions[0]
            problems.append(
                Problem(
                    record.where,
                    f"session {anchor.session} seq {anchor.seq}: edited or replaced: its sha256 "
                    f"is not the one notes commit {anchor.notes_commit[:SHORT]} anchored as the "
                    "session's tip",
                    commit=record.commit,
                    line=record.line,
                    session=anchor.session,
                    seq=anchor.seq,
                    kind="tip-changed",
                    notes_commit=anchor.notes_commit,
                )
            )
    for session in sorted(beyond):
        anchor = beyond[session]
        by_seq = sessions.get(session, {})
        last = max(by_seq) if by_seq else -1
        ends = f"the trail ends at seq {last}" if by_seq else "the trail has none of its records"
        short = anchor.notes_commit[:SHORT]
        problems.append(
            Problem(
                short,
                f"session {session}: {_span(last + 1, anchor.seq)} missing: notes commit {short} "
                f"anchored the session's tip at seq {anchor.seq}, {ends}",
                session=session,
                seq=last + 1,
                kind="tip-missing",
                notes_commit=anchor.notes_commit,
            )
        )
    return problems


def group_sessions(records: Iterable[Chained]) -> Sessions:
    """session -> seq -> the distinct records claiming that place."""
    sessions: Sessions = {}
    for record in records:
        sessions.setdefault(record.session, {}).setdefault(record.seq, []).append(record)
    return sessions


def check_session(
    session: str, by_seq: dict[int, list[Chained]], tip: JournalTip | None = None
) -> list[Problem]:
    """Every problem in one session's chain; ``tip`` is what this clone's journal flushed."""
    problems: list[Problem] = []
    # Who names whom, by digest: only a record whose prev names none of its predecessors
    # needs these, so they are built for the session at its first such record (building
    # them for every session was a third of the chain check at 100,000 records).
    by_digest: dict[str, Chained] = {}
    successors: dict[str, list[Chained]] = {}

    def index() -> None:
        if by_digest:
            return
        every = [record for versions in by_seq.values() for record in versions]
        by_digest.update((record.digest, record) for record in every)
        for record in every:
            successors.setdefault(record.prev, []).append(record)

    def report(record: Chained, message: str, kind: str) -> None:
        problems.append(
            Problem(
                record.where,
                f"session {session} seq {record.seq}: {message}",
                commit=record.commit,
                line=record.line,
                session=session,
                seq=record.seq,
                kind=kind,
            )
        )

    order = sorted(by_seq)
    if order[0] != 0:
        first = by_seq[order[0]][0]
        report(
            first, f"{_span(0, order[0] - 1)} missing: a session's chain starts at seq 0", "missing"
        )
    for previous, seq in zip([None, *order[:-1]], order, strict=True):
        versions = by_seq[seq]
        if len(versions) > 1:
            report(
                versions[0],
                f"{len(versions)} different records claim this seq ({_places(versions)}): all "
                "but one were edited, or two writers used one session id",
                "fork",
            )
        if previous is not None and seq > previous + 1:
            report(
                versions[0],
                f"{_span(previous + 1, seq - 1)} missing (after seq {previous} at "
                f"{by_seq[previous][0].where})",
                "missing",
            )
        for record in versions:
            if record.copies:  # most records have none
                same_note = [line for commit, line in record.copies if commit == record.commit]
                if same_note:
                    lines = ", ".join(str(line) for line in [record.line, *same_note])
                    report(
                        record,
                        f"duplicated: the same record is on lines {lines} of this note",
                        "duplicated",
                    )
            if seq == 0:
                if record.prev != "":
                    report(
                        record, "seq 0 names a previous record: it is not a chain's start", "edited"
                    )
                continue
            if seq - 1 not in by_seq:
                continue  # reported as missing above
            before = by_seq[seq - 1]
            prev = record.prev
            if before[0].digest == prev or any(c.digest == prev for c in before[1:]):
                continue  # the first test alone is the usual case: no generator per record
            index()
            moved = by_digest.get(prev)
            if moved is not None:
                report(
                    record,
                    f"out of order: it follows seq {moved.seq} ({moved.where}), not seq {seq - 1}",
                    "out-of-order",
                )
                continue
            followers = [
                other
                for candidate in before
                for other in successors.get(candidate.digest, [])
                if other is not record
            ]
            if followers:  # seq - 1 is intact: another record chains to it
                report(
                    record,
                    f"out of order: seq {seq - 1} is followed by seq {followers[0].seq} "
                    f"({followers[0].where}), and this record's prev names no record here",
                    "out-of-order",
                )
                continue
            for candidate in before:
                report(
                    candidate,
                    f"edited or replaced: its sha256 is not the prev that seq {seq} "
                    f"({record.where}) recorded",
                    "edited",
                )
    if tip is not None:
        problems.extend(_check_tip(session, by_seq, order[-1], tip))
    return problems


def _check_tip(
    session: str, by_seq: dict[int, list[Chained]], last: int, tip: JournalTip
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
                kind="missing",
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
                kind="edited",
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


def _places(records: Sequence[Chained]) -> str:
    return ", ".join(record.where for record in records)


def _clipped(raw: bytes, limit: int = 120) -> str:
    text = raw.decode("utf-8", errors="replace")
    return text if len(text) <= limit else text[:limit] + "…"
