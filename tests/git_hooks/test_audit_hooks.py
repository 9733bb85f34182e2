"""post-commit and post-rewrite: the audit trail lands on the commit and follows amend and
rebase, with or without git's own notes.rewriteRef."""

from __future__ import annotations

import json
import subprocess

from agentgov.audit.journal import Journal
from agentgov.git_layout import find_repo
from tests.git_hooks.conftest import AGENTGOV, Clone, base_env

REF = "refs/notes/agentgov"


def record(clone: Clone, session: str, event: str) -> None:
    layout = find_repo(clone.path)
    assert layout is not None
    Journal(layout.state_dir).append(session, {"kind": "turn", "event": event})


def noted(clone: Clone, commit: str) -> list[tuple[str, str]]:
    done = clone.run("notes", "--ref", REF, "show", commit)
    if done.returncode != 0:
        return []
    records = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return sorted((r["session"], r["event"]) for r in records)


def test_post_commit_moves_pending_records_onto_the_new_commit(clone: Clone) -> None:
    record(clone, "s1", "start")
    record(clone, "s1", "stop")
    tip = clone.commit("agent work")
    assert noted(clone, tip) == [("s1", "start"), ("s1", "stop")]
    assert noted(clone, clone.head("HEAD~1")) == []
    later = clone.commit("more")
    assert noted(clone, later) == []  # nothing pending: nothing attached


def test_an_amend_keeps_the_notes(clone: Clone) -> None:
    record(clone, "s1", "start")
    old = clone.commit("agent work")
    record(clone, "s1", "amended")
    done = clone.run("commit", "-q", "--amend", "-m", "agent work, amended")
    assert done.returncode == 0, done.stderr
    new = clone.head()
    assert new != old
    assert noted(clone, new) == [("s1", "amended"), ("s1", "start")]


def test_post_rewrite_carries_notes_without_git_s_rewrite_config(clone: Clone) -> None:
    clone.git("config", "--unset-all", "notes.rewriteRef")
    record(clone, "s1", "first")
    first = clone.commit("one")
    record(clone, "s2", "second")
    clone.commit("two")
    clone.git("commit", "-q", "--amend", "-m", "two, amended")
    assert noted(clone, clone.head()) == [("s2", "second")]
    # rebase: both commits are rewritten onto a new base
    base = clone.head("HEAD~2")
    clone.git("checkout", "-q", "-b", "elsewhere", base)
    clone.commit("elsewhere")
    clone.git("checkout", "-q", "main")
    done = clone.run("rebase", "-q", "elsewhere")
    assert done.returncode == 0, done.stderr
    assert clone.head("HEAD~1") != first
    assert noted(clone, clone.head("HEAD~1")) == [("s1", "first")]
    assert noted(clone, clone.head()) == [("s2", "second")]


def test_a_rebase_keeps_the_notes_with_the_installed_config(clone: Clone) -> None:
    record(clone, "s1", "first")
    clone.commit("one")
    base = clone.head("HEAD~1")
    clone.git("checkout", "-q", "-b", "elsewhere", base)
    clone.commit("elsewhere")
    clone.git("checkout", "-q", "main")
    clone.git("rebase", "-q", "elsewhere")
    assert noted(clone, clone.head()) == [("s1", "first")]


def test_a_malformed_rewrite_line_is_reported_and_skipped(clone: Clone) -> None:
    record(clone, "s1", "first")
    old = clone.commit("one")
    clone.git("commit", "-q", "--allow-empty", "-m", "two")
    new = clone.head()
    done = subprocess.run(
        [str(AGENTGOV), "hook", "git", "post-rewrite", "--", "rebase"],
        cwd=clone.path,
        input=f"not a pair\n{old} {new}\n",
        capture_output=True,
        text=True,
        env=base_env(clone.home),
        check=False,
    )
    assert done.returncode == 0
    assert (
        "agentgov: warning: post-rewrite input line is not '<old sha> <new sha>': "
        "'not a pair'; skipped"
    ) in done.stderr
    assert noted(clone, new) == [("s1", "first")]


def test_an_unreadable_policy_keeps_records_in_the_journal(clone: Clone) -> None:
    (clone.path / ".agentgov").mkdir()
    (clone.path / ".agentgov" / "policy.yaml").write_text("task_classes: [\n")
    record(clone, "s1", "start")
    done = clone.run("commit", "-q", "--allow-empty", "--no-verify", "-m", "x")
    assert done.returncode == 0
    assert "audit records stay in the journal until it is fixed" in done.stderr
    assert noted(clone, clone.head()) == []
    layout = find_repo(clone.path)
    assert layout is not None
    assert any(path.stat().st_size for path in Journal(layout.state_dir).sessions())
