"""Every ``git push`` carries the whole trail: the records written after the last commit
(the denials of a force-push and of ``--no-verify`` among them) reach the remote in the
same push, parked on a commit the remote has, and marked as parked so that commit is not
taken for the agent's work. SessionEnd parks them too, in a detached process.

A real Claude Code session is replayed through ``agentgov hook claude-code`` in a clone of
a bare remote with agentgov's git hooks installed; a fresh clone then fetches the notes.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.claude_code.test_hook import payload
from tests.git_hooks.conftest import AGENTGOV, Clone, make_clone

REF = "refs/notes/agentgov"
SESSION = "abc123"
BEFORE_THE_COMMIT = ["git status", "pytest -q"]
AFTER_THE_COMMIT = [
    ("git push --force origin main", "deny"),
    ("git commit --no-verify -m wip", "deny"),
    ("git log --oneline", "allow"),
]


def hook(clone: Clone, name: str, **changes: Any) -> subprocess.CompletedProcess[str]:
    data = payload(name, clone.path, **changes)
    done = clone.run_command([str(AGENTGOV), "hook", "claude-code"], input=json.dumps(data))
    assert done.returncode == 0, done.stderr
    return done


def bash(clone: Clone, command: str, number: int) -> str:
    answer = hook(clone, "pre-bash", command=command, tool_use_id=f"toolu_{number:02d}").stdout
    decision: str = json.loads(answer)["hookSpecificOutput"]["permissionDecision"]
    return decision


def governed_clone(tmp_path: Path) -> Clone:
    from agentgov.adapters.git_hooks.install import install_git

    clone = make_clone(tmp_path)
    install_git(clone.path, agentgov_bin=AGENTGOV)
    done = clone.run_command([str(AGENTGOV), "init"])
    assert done.returncode == 0, done.stderr
    clone.git("add", ".agentgov")
    clone.git("commit", "-q", "-m", "policy")
    clone.git("push", "-q", "origin", "main")
    return clone


def session_up_to_the_end(clone: Clone) -> str:
    """A session: calls, a commit, then more calls (denials among them); the commit."""
    hook(clone, "session-start")
    hook(clone, "user-prompt-submit")
    for number, command in enumerate(BEFORE_THE_COMMIT):
        assert bash(clone, command, number) == "allow"
    work = clone.commit("agent work")  # post-commit moves the records so far onto it
    for number, (command, expected) in enumerate(AFTER_THE_COMMIT, len(BEFORE_THE_COMMIT)):
        assert bash(clone, command, number) == expected
    hook(clone, "stop")
    return work


def journal_records(clone: Clone) -> int:
    journal = clone.path / ".git" / "agentgov" / "journal"
    return sum(
        len(path.read_text().splitlines())
        for pattern in ("*.jsonl", "*.flushing")
        for path in journal.glob(pattern)
    )


def remote_trail(tmp_path: Path, clone: Clone) -> dict[str, list[dict[str, Any]]]:
    """What a fresh clone of the remote sees: each commit's note, as records."""
    fresh = make_clone(tmp_path, "fresh", remote=clone.remote)
    fresh.git("fetch", "-q", "origin", f"{REF}:{REF}")
    notes = fresh.git("notes", "--ref", REF, "list").split()
    trail = {}
    for _, commit in zip(notes[::2], notes[1::2], strict=True):
        text = fresh.git("notes", "--ref", REF, "show", commit)
        trail[commit] = [json.loads(line) for line in text.splitlines() if line.strip()]
    verified = fresh.run_command([str(AGENTGOV), "audit", "verify"])
    assert verified.returncode == 0, verified.stdout + verified.stderr
    return trail


def summary(records: list[dict[str, Any]]) -> list[tuple[int, str, str | None]]:
    return sorted(
        (r["seq"], r.get("input") or f"{r['kind']} {r.get('event')}", r.get("decision"))
        for r in records
    )


LED_TO_THE_COMMIT = [
    (0, "session start", None),
    (1, "turn prompt", None),
    (2, "git status", "allow"),
    (3, "pytest -q", "allow"),
]
PARKED = [
    (4, "git push --force origin main", "deny"),
    (5, "git commit --no-verify -m wip", "deny"),
    (6, "git log --oneline", "allow"),
    (7, "turn stop", None),
]


def assert_parked(records: list[dict[str, Any]], by: str, last: int) -> None:
    markers = [r for r in records if r.get("event") == "parked"]
    assert [(m["session"], m["detail"]) for m in markers] == [
        (SESSION, {"by": by, "first_seq": 4, "last_seq": last})
    ]
    assert markers[0]["seq"] == last + 1


def test_a_push_carries_the_records_made_after_the_last_commit(tmp_path: Path) -> None:
    clone = governed_clone(tmp_path)
    work = session_up_to_the_end(clone)  # the session never ends: Claude Code was killed
    done = clone.run("push", "origin", "main")
    assert done.returncode == 0, done.stderr
    assert journal_records(clone) == 0
    trail = remote_trail(tmp_path, clone)
    records = [r for r in trail[work] if r["session"] == SESSION]
    assert summary(records) == [*LED_TO_THE_COMMIT, *PARKED, (8, "session parked", None)]
    assert_parked(records, "pre-push", 7)


def test_session_end_parks_the_records_and_the_next_push_carries_them(tmp_path: Path) -> None:
    clone = governed_clone(tmp_path)
    work = session_up_to_the_end(clone)
    hook(clone, "session-end")
    deadline = time.monotonic() + 60  # the detached flush: a failure guard, not a timing
    while journal_records(clone) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert journal_records(clone) == 0
    noted = clone.git("notes", "--ref", REF, "show", work)
    assert '"event":"parked"' in noted
    clone.commit("a person's commit, later")
    done = clone.run("push", "origin", "main")
    assert done.returncode == 0, done.stderr
    trail = remote_trail(tmp_path, clone)
    records = [r for r in trail[work] if r["session"] == SESSION]
    assert summary(records) == [
        *LED_TO_THE_COMMIT,
        *PARKED,
        (8, "session end", None),
        (9, "session parked", None),
    ]
    assert_parked(records, "session-end", 8)
    assert clone.head() not in trail  # nothing was pending: the person's commit has no note


def test_a_push_of_another_branch_parks_on_the_commit_it_pushes(tmp_path: Path) -> None:
    """The remote gets the pushed commit, not HEAD: the note must name a commit every
    clone that fetches the trail has."""
    clone = governed_clone(tmp_path)
    branch = "side"
    clone.git("branch", branch)
    session_up_to_the_end(clone)
    clone.commit("unpushed work on main")
    for number in range(2):
        bash(clone, "git status", 10 + number)
    pushed = clone.head(branch)
    done = clone.run("push", "origin", branch)
    assert done.returncode == 0, done.stderr
    trail = remote_trail(tmp_path, clone)
    parked = [r for r in trail[pushed] if r["session"] == SESSION]
    assert [r.get("input") or r.get("event") for r in parked] == [
        "git status",
        "git status",
        "parked",
    ]
