"""The notes ref's own history: a notes commit may only add lines, and verify says which did not.

Real clones of a real bare remote (tests/git_hooks/conftest.py), records written through
the real journal and flush, tampering done with real ``git notes``, and ``agentgov audit
verify`` run as a subprocess, as a CI job or a fresh clone runs it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from agentgov.audit.flush import flush_journal
from agentgov.audit.journal import Journal, encode
from agentgov.audit.notes import NotesStore
from agentgov.git_layout import find_repo
from tests.audit.conftest import REF, decision, turn
from tests.git_hooks.conftest import AGENTGOV, Clone, make_clone

DECISIONS = ("allow", "deny", "allow", "allow", "allow")


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process flushes read git config too: the same HOME as the clones' git."""
    (tmp_path / "home").mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def record(clone: Clone, session: str, *decisions: str) -> None:
    """Journal one decision record per entry, as the Claude Code hook writes them."""
    layout = find_repo(clone.path)
    assert layout is not None
    journal = Journal(layout.state_dir)
    for n, verdict in enumerate(decisions):
        journal.append(session, decision(decision=verdict, input=f"make step-{n}"))


def flush(clone: Clone, commit: str | None = None) -> str:
    """Flush the journal onto ``commit`` (HEAD); the notes commit it wrote."""
    layout = find_repo(clone.path)
    assert layout is not None
    result = flush_journal(layout, REF, commit)
    assert result.notes_commit is not None
    return result.notes_commit


def note_lines(clone: Clone, commit: str = "HEAD") -> list[str]:
    return clone.git("notes", "--ref", REF, "show", commit).splitlines()


def store_note(clone: Clone, lines: list[str], commit: str = "HEAD") -> str:
    """``git notes add -f`` of ``lines``; the notes commit git wrote."""
    path = clone.path.parent / "forged-note.txt"
    path.write_text("".join(line + "\n" for line in lines))
    clone.git("notes", "--ref", REF, "add", "-f", "-F", str(path), commit)
    return clone.head(REF)


def rechained(lines: list[str], change: Callable[[dict[str, Any]], None]) -> list[str]:
    """``lines`` with ``change`` applied to each record and every ``prev`` recomputed, so the
    chain at the tip is consistent again: what a careful forger does."""
    out: list[str] = []
    for line in lines:
        fields = json.loads(line)
        change(fields)
        if out:
            fields["prev"] = hashlib.sha256(out[-1].encode()).hexdigest()
        out.append(encode(fields))
    return out


def allow_the_deny(fields: dict[str, Any]) -> None:
    if fields["decision"] == "deny":
        fields["decision"] = "allow"
        fields["reason"] = "read-only command"


def verify(clone: Clone, *args: str) -> tuple[int, dict[str, Any]]:
    done = clone.run_command([str(AGENTGOV), "audit", "verify", "--format", "json", *args])
    assert done.stderr == ""
    return done.returncode, json.loads(done.stdout)


def kinds(report: dict[str, Any]) -> list[tuple[str, str | None, int | None]]:
    return [(p["kind"], p["session"], p["seq"]) for p in report["problems"]]


@pytest.fixture
def trail(tmp_path: Path) -> Clone:
    """A clone (no hooks) whose HEAD's note holds session s, seq 0-4; seq 1 is a deny."""
    clone = make_clone(tmp_path)
    record(clone, "s", *DECISIONS)
    flush(clone)
    return clone


def test_the_reproduction_a_forged_fast_forward_is_named_in_a_fresh_clone(
    trail: Clone, tmp_path: Path
) -> None:
    flushed = trail.head(REF)
    forging = store_note(trail, rechained(note_lines(trail), allow_the_deny))
    assert trail.git("notes", "--ref", REF, "show", "HEAD").count('"decision":"deny"') == 0
    pushed = trail.run("push", "origin", REF)  # plain git push: a fast-forward, accepted
    assert pushed.returncode == 0, pushed.stderr
    assert trail.remote_head(REF) == forging

    fresh = make_clone(tmp_path, "fresh", trail.remote)
    fresh.git("fetch", "-q", "origin", f"{REF}:{REF}")
    done = fresh.run_command([str(AGENTGOV), "audit", "verify"])
    annotated, n, p = trail.head()[:12], forging[:12], flushed[:12]
    changed = (
        f"changed by notes commit {n}: its parent {p} held another version of it (a notes "
        "commit may only add lines)"
    )
    assert (done.returncode, done.stderr) == (1, "")
    assert done.stdout.splitlines() == [
        f"{annotated}:2: session s seq 1: {changed}",
        f"{annotated}:3: session s seq 2: {changed}",
        f"{annotated}:4: session s seq 3: {changed}",
        f"{annotated}:5: session s seq 4: {changed}",
        f"{annotated}:5: session s seq 4: edited or replaced: its sha256 is not the one notes "
        f"commit {p} anchored as the session's tip",
        "audit trail has 5 problem(s): 5 record(s) in 1 session(s) on refs/notes/agentgov",
    ]


def test_the_flush_anchors_each_session_tip_in_its_notes_commit(trail: Clone) -> None:
    last = note_lines(trail)[-1]
    message = trail.git("log", "-1", "--format=%B", REF)
    digest = hashlib.sha256(last.encode()).hexdigest()
    assert message == f"Notes added by 'agentgov append'\n\nAgentgov-Tip: 4 {digest} s\n\n"


# --- legal histories: every one keeps every line -------------------------------------------


def appends(clone: Clone, tmp_path: Path) -> None:
    record(clone, "s", "allow")
    record(clone, "t", "allow", "ask")
    clone.commit("more work")
    flush(clone)
    record(clone, "t", "allow")
    flush(clone)  # the same note again


def git_notes_append(clone: Clone, tmp_path: Path) -> None:
    line = encode({**turn("prompt"), "v": 1, "session": "g", "seq": 0, "prev": "", "ts": "x"})
    clone.git("notes", "--ref", REF, "append", "-m", line, "HEAD")  # with a blank line


def union_merge_of_two_clones(clone: Clone, tmp_path: Path) -> None:
    other = make_clone(tmp_path, "other", clone.remote)
    record(other, "o", "allow", "allow")
    flush(other)  # the same annotated commit as the first clone's records
    assert clone.run_command([str(AGENTGOV), "audit", "push"]).returncode == 0
    merged = other.run_command([str(AGENTGOV), "audit", "push"])
    assert "merged" in merged.stdout, merged.stdout
    assert clone.run_command([str(AGENTGOV), "audit", "pull"]).returncode == 0
    assert len(clone.git("log", "-1", "--format=%P", REF).split()) == 2


def git_notes_merge_cat_sort_uniq(clone: Clone, tmp_path: Path) -> None:
    other = make_clone(tmp_path, "other", clone.remote)
    record(other, "o", "allow")
    flush(other)
    other.git("push", "-q", "origin", REF)
    clone.git("fetch", "-q", "origin", f"{REF}:refs/notes/theirs")
    clone.git("notes", "--ref", REF, "merge", "-q", "-s", "cat_sort_uniq", "refs/notes/theirs")


def amend_with_rewrite_ref(clone: Clone, tmp_path: Path) -> None:
    clone.run_command([str(AGENTGOV), "audit", "setup"])
    clone.git("commit", "-q", "--amend", "-m", "second, amended")
    assert clone.git("notes", "--ref", REF, "show", "HEAD").count("\n") == 5


def rebase_with_rewrite_ref(clone: Clone, tmp_path: Path) -> None:
    clone.run_command([str(AGENTGOV), "audit", "setup"])
    clone.git("checkout", "-q", "-b", "topic")
    clone.commit("topic work")
    record(clone, "r", "allow")
    flush(clone)
    clone.git("checkout", "-q", "main")
    clone.commit("main moves")
    clone.git("rebase", "-q", "main", "topic")
    assert "make step-0" in clone.git("notes", "--ref", REF, "show", "topic")


def post_rewrite_copy(clone: Clone, tmp_path: Path) -> None:
    old = clone.head()
    new = clone.commit("replacement")
    NotesStore(clone.path, REF).copy_notes([(old, new)])


def reattach(clone: Clone, tmp_path: Path) -> None:
    noted = clone.head()
    clone.git("checkout", "-q", "-b", "landed", "HEAD~1")
    onto = clone.commit("squash-merged")
    done = clone.run_command(
        [str(AGENTGOV), "audit", "reattach", f"{noted}~1..{noted}", "--onto", onto]
    )
    assert done.returncode == 0, done.stderr


def flat_notes(clone: Clone, count: int) -> None:
    """``count`` notes at the root of the notes tree, as libgit2 and old tools write them,
    each holding one record of session ``flat``, in one notes commit on top of the trail."""
    lines = rechained(
        [
            encode({**turn("prompt"), "v": 1, "session": "flat", "seq": n, "prev": "", "ts": "x"})
            for n in range(count)
        ],
        lambda fields: None,
    )
    stream = [f"commit {REF}", "committer T <t@example.com> 1700000000 +0000", "data 5", "flat"]
    stream.append(f"from {clone.head(REF)}")
    for n, line in enumerate(lines):
        annotated = hashlib.sha1(f"object {n}".encode()).hexdigest()
        data = (line + "\n").encode()
        stream += [f"M 100644 inline {annotated}", f"data {len(data)}", line]
    done = clone.run_command(["git", "fast-import", "--quiet"], input="\n".join(stream) + "\n")
    assert done.returncode == 0, done.stderr


def moved_into_fanout_by_agentgov(clone: Clone, tmp_path: Path) -> None:
    flat_notes(clone, 300)
    record(clone, "s", "allow")
    flush(clone)
    root = clone.git("ls-tree", f"{REF}^{{tree}}").splitlines()
    assert all(line.split()[1] == "tree" for line in root)  # every flat note moved


def refanned_by_git(clone: Clone, tmp_path: Path) -> None:
    flat_notes(clone, 300)
    clone.git("notes", "--ref", REF, "append", "-m", "", clone.head())


def lines_reordered(clone: Clone, tmp_path: Path) -> None:
    store_note(clone, note_lines(clone)[::-1])  # records are order-free (cat_sort_uniq sorts)


@pytest.mark.parametrize(
    "legal",
    [
        appends,
        git_notes_append,
        union_merge_of_two_clones,
        git_notes_merge_cat_sort_uniq,
        amend_with_rewrite_ref,
        rebase_with_rewrite_ref,
        post_rewrite_copy,
        reattach,
        moved_into_fanout_by_agentgov,
        refanned_by_git,
        lines_reordered,
    ],
)
def test_legal_histories_verify_clean(
    trail: Clone, tmp_path: Path, legal: Callable[[Clone, Path], None]
) -> None:
    before = int(trail.git("rev-list", "--count", REF))
    legal(trail, tmp_path)
    assert int(trail.git("rev-list", "--count", REF)) > before  # it wrote notes commits
    code, report = verify(trail)
    assert (code, report["problems"]) == (0, [])
    assert report["notes_commits"] == int(trail.git("rev-list", "--count", REF))


# --- illegal histories: each line taken away is named with the notes commit ----------------


def edit_a_line(clone: Clone) -> str:
    return store_note(clone, rechained(note_lines(clone), allow_the_deny))


def delete_a_line(clone: Clone) -> str:
    lines = note_lines(clone)
    return store_note(clone, [*lines[:2], *lines[3:]])


def delete_the_whole_note(clone: Clone) -> str:
    clone.git("notes", "--ref", REF, "remove", "HEAD")
    return clone.head(REF)


def delete_the_sessions_last_records(clone: Clone) -> str:
    return store_note(clone, note_lines(clone)[:-2])


def renumber_records(clone: Clone) -> str:
    lines = note_lines(clone)
    swapped = [json.loads(line) for line in lines]
    swapped[2]["seq"], swapped[3]["seq"] = 3, 2
    ordered = sorted(swapped, key=lambda fields: int(fields["seq"]))
    return store_note(clone, rechained([encode(fields) for fields in ordered], lambda f: None))


def merge_keeping_only_ours(clone: Clone) -> str:
    other = make_clone(clone.path.parent, "other", clone.remote)
    record(other, "o", "allow", "deny")
    flush(other)  # the same annotated commit: both sides changed one note
    other.git("push", "-q", "origin", REF)
    clone.git("fetch", "-q", "origin", f"{REF}:refs/notes/theirs")
    clone.git("notes", "--ref", REF, "merge", "-q", "-s", "ours", "refs/notes/theirs")
    assert len(clone.git("log", "-1", "--format=%P", REF).split()) == 2
    return clone.head(REF)


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        pytest.param(
            edit_a_line,
            [("line-changed", "s", n) for n in (1, 2, 3, 4)] + [("tip-changed", "s", 4)],
            id="a deny edited to allow, later prevs recomputed",
        ),
        pytest.param(
            delete_a_line,
            [("line-removed", "s", 2), ("missing", "s", 3)],
            id="a line deleted",
        ),
        pytest.param(
            delete_the_whole_note,
            [("line-removed", "s", n) for n in range(5)] + [("tip-missing", "s", 0)],
            id="a whole note deleted",
        ),
        pytest.param(
            delete_the_sessions_last_records,
            [("line-removed", "s", 3), ("line-removed", "s", 4), ("tip-missing", "s", 3)],
            id="the session's last records deleted",
        ),
        pytest.param(
            renumber_records,
            [("line-changed", "s", n) for n in (2, 3, 4)] + [("tip-changed", "s", 4)],
            id="records reordered (renumbered, rechained)",
        ),
        pytest.param(
            merge_keeping_only_ours,
            [("line-removed", "o", 0), ("line-removed", "o", 1), ("tip-missing", "o", 0)],
            id="a notes merge that drops the other side (-s ours)",
        ),
    ],
)
def test_illegal_histories_are_named_with_the_notes_commit(
    trail: Clone,
    tamper: Callable[[Clone], str],
    expected: list[tuple[str, str | None, int | None]],
) -> None:
    rewriting = tamper(trail)
    code, report = verify(trail)
    assert (code, kinds(report)) == (1, expected)
    taken = [p for p in report["problems"] if p["kind"].startswith("line-")]
    assert {p["notes_commit"] for p in taken} == {rewriting}
    assert all(p["commit"] == trail.head() for p in taken)  # the annotated commit


def test_a_new_root_is_invisible_alone_and_caught_by_a_clone_that_has_the_old_trail(
    trail: Clone, tmp_path: Path
) -> None:
    trail.git("push", "-q", "origin", REF)
    keeper = make_clone(tmp_path, "keeper", trail.remote)
    assert keeper.run_command([str(AGENTGOV), "audit", "pull"]).returncode == 0

    # A whole new notes history: the forged note in a root commit, force-pushed.
    store_note(trail, rechained(note_lines(trail), allow_the_deny))
    tree = trail.head(f"{REF}^{{tree}}")
    root = trail.git("commit-tree", tree, "-m", "Notes added by 'git notes add'").strip()
    trail.git("update-ref", REF, root)
    assert trail.run("push", "-q", "--force", "origin", REF).returncode == 0
    assert verify(trail)[0] == 0  # nothing of the old history is left here to compare with

    # The keeper's union merge puts the original lines beside the forged ones.
    assert keeper.run_command([str(AGENTGOV), "audit", "pull"]).returncode == 0
    code, report = verify(keeper)
    assert (code, kinds(report)) == (1, [("fork", "s", n) for n in (1, 2, 3, 4)])


def test_audit_push_never_shares_a_trail_rewritten_in_this_clone(trail: Clone) -> None:
    assert trail.run("push", "-q", "origin", REF).returncode == 0  # the honest trail
    shared = trail.remote_head(REF)
    forging = store_note(trail, rechained(note_lines(trail), allow_the_deny))
    done = trail.run_command([str(AGENTGOV), "audit", "push"])
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        f"agentgov: refusing to share {REF}: notes commit {forging[:12]} removes or changes "
        "4 line(s) an earlier notes commit held (the trail is append-only); run "
        "`agentgov audit verify` to see them\n"
    )
    assert trail.remote_head(REF) == shared


def test_the_pre_push_hook_does_not_carry_a_rewritten_trail_with_the_code(trail: Clone) -> None:
    from agentgov.adapters.git_hooks.install import install_git

    install_git(trail.path, agentgov_bin=AGENTGOV)
    assert trail.run("push", "-q", "origin", REF).returncode == 0
    shared = trail.remote_head(REF)
    store_note(trail, rechained(note_lines(trail), allow_the_deny))
    trail.git("checkout", "-q", "-b", "topic")
    trail.git("commit", "-q", "--allow-empty", "-m", "work")
    pushed = trail.run("push", "-q", "origin", "topic")
    assert pushed.returncode == 0  # the code goes; the forged trail stays behind
    assert "refusing to share" in pushed.stderr
    assert trail.remote_head(REF) == shared
