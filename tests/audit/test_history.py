"""Records follow history: amend and rebase with the rewrite config, reattach after squash."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from agentgov.audit.flush import flush_journal
from agentgov.audit.history import configure_rewrite
from agentgov.audit.notes import NotesStore
from agentgov.audit.records import iter_records
from agentgov.audit.verify import verify_trail
from agentgov.git_layout import find_repo
from tests.audit.conftest import REF, Agentgov, Ran, journal_of, turn
from tests.conftest import GIT_IDENTITY, git


def commit_with_records(repo: Path, message: str, session: str, count: int = 1) -> list[str]:
    """A new commit whose note holds ``count`` new records of ``session``."""
    (repo / f"{message}.txt").write_text(message)
    git(repo, "add", f"{message}.txt")
    git(repo, "commit", "-q", "-m", message)
    lines = [journal_of(repo).append(session, turn("prompt")).line for _ in range(count)]
    layout = find_repo(repo)
    assert layout is not None
    flush_journal(layout, REF)
    return lines


def note(repo: Path, commit: str) -> list[str]:
    sha = git(repo, "rev-parse", commit).strip()
    return NotesStore(repo, REF).read(sha).decode().splitlines()


def test_setup_names_the_ref_once_and_keeps_other_values(repo: Path, agentgov: Agentgov) -> None:
    git(repo, "config", "--add", "notes.rewriteRef", "refs/notes/commits")
    ran = agentgov("audit", "setup")
    assert ran == Ran(
        0,
        f"{REF} added to notes.rewriteRef: amend and rebase carry its notes\n"
        "notes.rewriteMode = cat_sort_uniq\n"
        "notes.agentgov.mergeStrategy = cat_sort_uniq\n"
        "To fetch the trail with every `git fetch`: git config --add remote.origin.fetch "
        "'+refs/notes/agentgov:refs/notes/remotes/origin/agentgov'\n",
        "",
    )
    assert agentgov("audit", "setup").out.startswith(f"{REF} already in notes.rewriteRef")
    # A glob that matches only the trail's ref: git warns on a plain ref that does not
    # exist yet (every fresh clone), and is silent on a glob that matches nothing.
    assert git(repo, "config", "--get-all", "notes.rewriteRef").split() == [
        "refs/notes/commits",
        "refs/notes/agentgo[v]",
    ]
    assert git(repo, "config", "notes.rewriteMode").strip() == "cat_sort_uniq"


def test_setup_leaves_a_fresh_clone_without_the_trail_silent_on_amend(
    repo: Path, agentgov: Agentgov
) -> None:
    agentgov("audit", "setup")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_IDENTITY)
    done = subprocess.run(
        ["git", "commit", "--amend", "-q", "--no-edit"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stderr == ""


def test_a_glob_that_covers_the_ref_is_enough(repo: Path) -> None:
    git(repo, "config", "notes.rewriteRef", "refs/notes/*")
    assert not configure_rewrite(repo, REF).ref_added
    assert git(repo, "config", "--get-all", "notes.rewriteRef").split() == ["refs/notes/*"]


@pytest.mark.parametrize("configured", [True, False])
def test_amend_keeps_the_records_only_with_the_rewrite_config(repo: Path, configured: bool) -> None:
    if configured:
        configure_rewrite(repo, REF)
    lines = commit_with_records(repo, "work", "s", count=2)
    git(repo, "commit", "-q", "--amend", "-m", "work, amended")
    assert note(repo, "HEAD") == (lines if configured else [])
    assert verify_trail(repo, REF).ok


def test_rebase_keeps_every_commits_records(repo: Path) -> None:
    configure_rewrite(repo, REF)
    git(repo, "checkout", "-q", "-b", "feature")
    first = commit_with_records(repo, "one", "s")
    second = commit_with_records(repo, "two", "s")
    git(repo, "checkout", "-q", "main")
    commit_with_records(repo, "upstream", "other")
    git(repo, "checkout", "-q", "feature")
    before = git(repo, "rev-parse", "HEAD~1", "HEAD").split()
    git(repo, "rebase", "-q", "main")
    assert git(repo, "rev-parse", "HEAD~1", "HEAD").split() != before
    assert (note(repo, "HEAD~1"), note(repo, "HEAD")) == (first, second)
    reachable = set(git(repo, "rev-list", "HEAD").split())
    assert all(
        r.commit in reachable or set(dict(r.copies)) & reachable for r in iter_records(repo, REF)
    )
    assert verify_trail(repo, REF).ok


def test_reattach_copies_a_squash_merged_branch_onto_its_commit(
    repo: Path, agentgov: Agentgov
) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    lines = commit_with_records(repo, "one", "s") + commit_with_records(repo, "two", "s")
    base = git(repo, "merge-base", "main", "feature").strip()
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--squash", "feature")
    git(repo, "commit", "-q", "-m", "feature (squashed)")
    assert note(repo, "HEAD") == []  # a squash merge never carries notes
    squashed = git(repo, "rev-parse", "HEAD").strip()
    ran = agentgov("audit", "reattach", f"{base}..feature", "--onto", "HEAD")
    assert ran == Ran(0, f"copied 2 record(s) from 2 of 2 commit(s) onto {squashed[:12]}\n", "")
    assert sorted(note(repo, "HEAD")) == sorted(lines)
    again = agentgov("audit", "reattach", f"{base}..feature", "--onto", "HEAD")
    assert again.out == f"copied 0 record(s) from 2 of 2 commit(s) onto {squashed[:12]}\n"
    assert verify_trail(repo, REF).ok


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--onto", "HEAD", "--", "--upload-pack=x"], "'--upload-pack=x' is not a revision range"),
        (["HEAD~1..HEAD", "--onto", "nope"], "--onto nope: no such commit"),
        (["nope..HEAD", "--onto", "HEAD"], "nope..HEAD: not a revision range git knows"),
    ],
)
def test_reattach_refuses_what_is_not_a_range_or_commit(
    repo: Path, agentgov: Agentgov, args: list[str], message: str
) -> None:
    ran = agentgov("audit", "reattach", *args)
    assert ran.code == 2
    assert ran.err.startswith(f"agentgov: {message}")
