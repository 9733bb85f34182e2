"""audit verify: every missing, edited, reordered or duplicated record is named, exit 1.

Each test flushes one session of five records onto HEAD, then changes the note the way a
person with push access could, with real ``git notes``, and checks verify's exact report:
the notes commit that took lines away (the history check), then what the chain at the tip
shows. The history check's own table is in test_notes_history.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from agentgov.audit.flush import flush_journal
from agentgov.git_layout import find_repo
from tests.audit.conftest import REF, Agentgov, Ran, decision, journal_of, turn
from tests.conftest import git

SUMMARY = "5 record(s) in 1 session(s) on refs/notes/agentgov"


@pytest.fixture
def trail(repo: Path) -> str:
    """Five records of session ``s`` on HEAD's note, lines 1-5 holding seq 0-4."""
    journal = journal_of(repo)
    journal.append("s", turn("prompt"))
    for n in range(3):
        journal.append("s", decision(input=f"make test-{n}", tool_use_id=f"toolu_{n}"))
    journal.append("s", turn("stop"))
    layout = find_repo(repo)
    assert layout is not None
    flush_journal(layout, REF)
    return git(repo, "rev-parse", "HEAD").strip()


def rewrite_note(
    repo: Path, edit: Callable[[list[str]], list[str]], commit: str = "HEAD"
) -> dict[str, str]:
    """Store ``edit``'s version of the note with ``git notes add -f``; the placeholders
    for messages: ``n`` the rewriting notes commit, ``p`` its parent (both shortened)."""
    lines = git(repo, "notes", "--ref", REF, "show", commit).splitlines()
    (repo.parent / "note.txt").write_text("".join(line + "\n" for line in edit(lines)))
    git(repo, "notes", "--ref", REF, "add", "-f", "-F", str(repo.parent / "note.txt"), commit)
    return {
        "n": git(repo, "rev-parse", REF).strip()[:12],
        "p": git(repo, "rev-parse", f"{REF}~1").strip()[:12],
    }


CHANGED = "changed by notes commit {n}: its parent {p} held another version of it (a notes "
CHANGED += "commit may only add lines)"
REMOVED = "removed by notes commit {n}: its parent {p} held it (a notes commit may only add lines)"


def with_fields(line: str, **fields: object) -> str:
    record = json.loads(line)
    record.update(fields)
    return json.dumps(record, sort_keys=True, separators=(",", ":"))


def test_a_clean_trail_passes(repo: Path, trail: str, agentgov: Agentgov) -> None:
    assert agentgov("audit", "verify") == Ran(0, f"audit trail ok: {SUMMARY}\n", "")


def test_an_edited_record_is_named_with_its_commit_and_session(
    repo: Path, trail: str, agentgov: Agentgov
) -> None:
    names = rewrite_note(
        repo, lambda lines: [*lines[:2], with_fields(lines[2], input="rm -rf /"), *lines[3:]]
    )
    c = trail[:12]
    assert agentgov("audit", "verify") == Ran(
        1,
        f"{c}:3: session s seq 2: {CHANGED.format(**names)}\n"
        f"{c}:3: session s seq 2: edited or replaced: its sha256 is not the prev that seq 3 "
        f"({c}:4) recorded\n"
        f"audit trail has 2 problem(s): {SUMMARY}\n",
        "",
    )


Edit = Callable[[list[str]], list[str]]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(
            lambda lines: [*lines[:2], *lines[3:]],
            [
                "{c}:3: session s seq 2: " + REMOVED,
                "{c}:3: session s seq 3: record 2 is missing (after seq 1 at {c}:2)",
            ],
            id="removed",
        ),
        pytest.param(
            lambda lines: lines[2:],
            [
                "{c}:1: session s seq 0: " + REMOVED,
                "{c}:2: session s seq 1: " + REMOVED,
                "{c}:1: session s seq 2: records 0..1 are missing: a session's chain starts at "
                "seq 0",
            ],
            id="start-removed",
        ),
        pytest.param(
            lambda lines: [
                *lines[:2],
                with_fields(lines[3], seq=2),
                with_fields(lines[2], seq=3),
                lines[4],
            ],
            [
                "{c}:3: session s seq 2: " + CHANGED,
                "{c}:4: session s seq 3: " + CHANGED,
                "{c}:3: session s seq 2: out of order: seq 1 is followed by seq 3 ({c}:4), and "
                "this record's prev names no record here",
                "{c}:4: session s seq 3: out of order: it follows seq 1 ({c}:2), not seq 2",
                "{c}:4: session s seq 3: edited or replaced: its sha256 is not the prev that "
                "seq 4 ({c}:5) recorded",
            ],
            id="reordered",
        ),
        pytest.param(
            lambda lines: [*lines, lines[1]],
            ["{c}:2: session s seq 1: duplicated: the same record is on lines 2, 6 of this note"],
            id="duplicated",
        ),
        pytest.param(
            lambda lines: [with_fields(lines[0], prev="a" * 64), *lines[1:]],
            [
                "{c}:1: session s seq 0: " + CHANGED,
                "{c}:1: session s seq 0: seq 0 names a previous record: it is not a chain's start",
                "{c}:1: session s seq 0: edited or replaced: its sha256 is not the prev that "
                "seq 1 ({c}:2) recorded",
            ],
            id="start-with-prev",
        ),
    ],
)
def test_tampering_is_reported_precisely(
    repo: Path, trail: str, agentgov: Agentgov, edit: Edit, expected: list[str]
) -> None:
    names = rewrite_note(repo, edit)
    ran = agentgov("audit", "verify")
    assert ran.code == 1
    assert ran.out.splitlines()[:-1] == [line.format(c=trail[:12], **names) for line in expected]


def test_two_versions_of_one_record_on_different_commits(
    repo: Path, trail: str, agentgov: Agentgov
) -> None:
    git(repo, "commit", "-q", "--allow-empty", "-m", "second")
    lines = git(repo, "notes", "--ref", REF, "show", trail).splitlines()
    git(repo, "notes", "--ref", REF, "add", "-m", with_fields(lines[4], interrupted=True), "HEAD")
    ran = agentgov("audit", "verify")
    head = git(repo, "rev-parse", "HEAD").strip()
    first, second = sorted([f"{head[:12]}:1", f"{trail[:12]}:5"])  # notes come by commit id
    assert ran.code == 1
    assert ran.out.splitlines()[0] == (
        f"{first}: session s seq 4: 2 different records claim this seq ({first}, {second}): "
        "all but one were edited, or two writers used one session id"
    )


def test_copies_made_by_rewrites_are_not_duplicates(
    repo: Path, trail: str, agentgov: Agentgov
) -> None:
    git(repo, "commit", "-q", "--allow-empty", "-m", "second")
    git(repo, "notes", "--ref", REF, "copy", trail, "HEAD")
    assert agentgov("audit", "verify").code == 0


def test_records_removed_from_the_end_are_caught_by_history_anchor_and_local_tip(
    repo: Path, trail: str, agentgov: Agentgov
) -> None:
    flushed = git(repo, "rev-parse", REF).strip()[:12]
    names = rewrite_note(repo, lambda lines: lines[:-1])
    c = trail[:12]
    history = f"{c}:5: session s seq 4: {REMOVED.format(**names)}"
    anchor = (
        f"{flushed}: session s: record 4 is missing: notes commit {flushed} anchored the "
        "session's tip at seq 4, the trail ends at seq 3"
    )
    ran = agentgov("audit", "verify")  # the chain alone cannot tell; history and anchor can
    assert (ran.code, ran.out.splitlines()[:-1]) == (1, [history, anchor])
    ran = agentgov("audit", "verify", "--pending")
    assert (ran.code, ran.out.splitlines()[:-1]) == (
        1,
        [
            history,
            ".git/agentgov/journal/s.tip:1: session s: record 4 is missing: this clone flushed "
            "up to seq 4, the trail ends at seq 3",
            anchor,
        ],
    )


def test_unreadable_lines_fail_verify(repo: Path, trail: str, agentgov: Agentgov) -> None:
    rewrite_note(repo, lambda lines: [*lines, "not json"])
    ran = agentgov("audit", "verify")
    assert ran.code == 1
    assert ran.out.splitlines()[0].startswith(f"{trail[:12]}:6: not JSON (")


def test_json_report(repo: Path, trail: str, agentgov: Agentgov) -> None:
    names = rewrite_note(repo, lambda lines: [*lines[:2], *lines[3:]])
    ran = agentgov("audit", "verify", "--format", "json")
    assert ran.code == 1
    rewriting = git(repo, "rev-parse", REF).strip()
    assert json.loads(ran.out) == {
        "v": 2,
        "ref": REF,
        "found": True,
        "ok": False,
        "records": 4,
        "sessions": 1,
        "notes_commits": 2,
        "signed": 0,
        "problems": [
            {
                "kind": "line-removed",
                "where": f"{trail[:12]}:3",
                "commit": trail,
                "line": 3,
                "session": "s",
                "seq": 2,
                "notes_commit": rewriting,
                "message": "session s seq 2: " + REMOVED.format(**names),
            },
            {
                "kind": "missing",
                "where": f"{trail[:12]}:3",
                "commit": trail,
                "line": 3,
                "session": "s",
                "seq": 3,
                "notes_commit": None,
                "message": f"session s seq 3: record 2 is missing (after seq 1 at {trail[:12]}:2)",
            },
        ],
    }


NO_TRAIL = "no audit trail on refs/notes/agentgov"
FETCH_IT = (
    ": --require needs one. A clone does not fetch notes; fetch the trail with `git fetch "
    "origin refs/notes/agentgov:refs/notes/agentgov` before verifying"
)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param((), Ran(0, f"{NO_TRAIL}\n", ""), id="no trail: said, exit 0"),
        pytest.param(("--require",), Ran(1, f"{NO_TRAIL}{FETCH_IT}\n", ""), id="--require: exit 1"),
    ],
)
def test_no_trail_at_all_is_said_and_fails_under_require(
    repo: Path, agentgov: Agentgov, args: tuple[str, ...], expected: Ran
) -> None:
    assert agentgov("audit", "verify", *args) == expected


def test_no_trail_in_json_under_require(repo: Path, agentgov: Agentgov) -> None:
    ran = agentgov("audit", "verify", "--require", "--format", "json")
    assert ran.code == 1
    assert json.loads(ran.out) == {
        "v": 2,
        "ref": REF,
        "found": False,
        "ok": False,
        "records": 0,
        "sessions": 0,
        "notes_commits": 0,
        "signed": 0,
        "problems": [],
    }


def test_require_passes_on_a_clean_trail(repo: Path, trail: str, agentgov: Agentgov) -> None:
    assert agentgov("audit", "verify", "--require") == Ran(0, f"audit trail ok: {SUMMARY}\n", "")
