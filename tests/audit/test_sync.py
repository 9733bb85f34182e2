"""Sharing the trail: clones that diverge end with the union, pushes never force, races retry.

Real clones of a real bare remote, and the union merge on both notes backends.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from agentgov.audit.flush import flush_journal
from agentgov.audit.notes import BackendName, NotesStore
from agentgov.audit.records import iter_records
from agentgov.audit.sync import pull, push, tracking_ref
from agentgov.audit.verify import verify_trail
from agentgov.git_layout import find_repo
from tests.audit.conftest import REF, Agentgov, Ran, install_hook, journal_of, turn
from tests.conftest import git


def records_in(clone: Path, session: str, count: int) -> None:
    for _ in range(count):
        journal_of(clone).append(session, turn("prompt"))
    layout = find_repo(clone)
    assert layout is not None
    flush_journal(layout, REF)


def trail(clone: Path) -> set[tuple[str, int]]:
    return {(r.session, r.seq) for r in iter_records(clone, REF)}


@pytest.fixture
def remote(repo: Path, tmp_path: Path) -> Path:
    bare = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
    return bare


def clone(remote: Path, name: str) -> Path:
    path = remote.parent / name
    git(remote.parent, "clone", "-q", str(remote), str(path))
    return path


def test_two_clones_that_diverge_end_with_the_union(
    remote: Path, agentgov: Agentgov, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob = clone(remote, "alice"), clone(remote, "bob")
    records_in(alice, "a", 3)
    records_in(bob, "b", 2)  # both annotate the same commit: the notes conflict

    monkeypatch.chdir(alice)
    pushed = agentgov("audit", "push")
    alice_tip = git(alice, "rev-parse", REF).strip()
    assert pushed == Ran(
        0,
        f"origin has no trail on {REF} yet\npushed {REF} ({alice_tip[:12]}) to origin\n",
        "",
    )

    monkeypatch.chdir(bob)
    ran = agentgov("audit", "push")
    bob_tip = git(bob, "rev-parse", REF).strip()
    assert ran == Ran(
        0,
        f"fetched origin's trail ({alice_tip[:12]}): merged\n"
        f"pushed {REF} ({bob_tip[:12]}) to origin\n",
        "",
    )
    assert git(bob, "rev-parse", f"{REF}^1", f"{REF}^2").split()[1] == alice_tip

    monkeypatch.chdir(alice)
    assert agentgov("audit", "pull") == Ran(
        0, f"fetched origin's trail ({bob_tip[:12]}): fast-forward\n", ""
    )
    assert agentgov("audit", "push") == Ran(
        0,
        f"fetched origin's trail ({bob_tip[:12]}): up-to-date\n"
        f"origin already has {REF} ({bob_tip[:12]})\n",
        "",
    )
    union = {("a", n) for n in range(3)} | {("b", n) for n in range(2)}
    assert trail(alice) == trail(bob) == union
    assert (
        git(alice, "rev-parse", REF) == git(bob, "rev-parse", REF) == git(remote, "rev-parse", REF)
    )
    assert verify_trail(alice, REF).ok
    assert verify_trail(bob, REF).ok
    head = git(bob, "rev-parse", "HEAD").strip()
    note = git(bob, "notes", "--ref", REF, "show", head).splitlines()
    assert note == sorted(note)  # what `git notes merge -s cat_sort_uniq` would have made
    # git itself agrees there is nothing left to merge
    done = git(
        alice, "notes", "--ref", REF, "merge", "-s", "cat_sort_uniq", tracking_ref(REF, "origin")
    )
    assert git(alice, "rev-parse", REF).strip() == bob_tip, done


def test_a_pull_never_replaces_records_the_remote_lacks(remote: Path) -> None:
    alice, bob = clone(remote, "alice"), clone(remote, "bob")
    records_in(alice, "a", 1)
    push(alice, REF)
    records_in(bob, "b", 1)  # only here
    assert pull(bob, REF).merge == "merged"
    assert trail(bob) == {("a", 0), ("b", 0)}
    assert trail(remote) == {("a", 0)}  # pull sends nothing


def install_racing_hook(remote: Path, racer: Path) -> None:
    """The first push the remote receives is beaten by a push from ``racer``, made from
    inside the remote's pre-receive hook, so the first one fails to update the ref."""
    marker = remote / "raced"
    hook = remote / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\n"
        "cat >/dev/null\n"
        f'if [ ! -e "{marker}" ]; then\n'
        f'  touch "{marker}"\n'
        f'  env -i PATH="$PATH" HOME="{racer}" git -C "{racer}" push -q origin {REF}:{REF}\n'
        "fi\n"
    )
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)


def test_a_push_that_loses_a_race_fetches_merges_and_pushes_again(remote: Path) -> None:
    alice, bob, carol = clone(remote, "alice"), clone(remote, "bob"), clone(remote, "carol")
    records_in(alice, "a", 1)
    push(alice, REF)
    pull(carol, REF)
    records_in(carol, "c", 1)
    records_in(bob, "b", 1)
    install_racing_hook(remote, carol)
    result = push(bob, REF)
    assert result.attempts == 2
    assert trail(remote) == {("a", 0), ("b", 0), ("c", 0)}
    assert os.path.exists(remote / "raced")


def test_pull_and_push_with_nothing_anywhere(
    remote: Path, agentgov: Agentgov, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(clone(remote, "alice"))
    assert agentgov("audit", "pull") == Ran(0, f"origin has no trail on {REF} yet\n", "")
    assert agentgov("audit", "push") == Ran(0, f"origin has no trail on {REF} yet\n", "")


def test_an_unknown_remote_is_a_usage_error(repo: Path, agentgov: Agentgov) -> None:
    ran = agentgov("audit", "push", "upstream")
    assert (ran.code, ran.err) == (
        2,
        f"agentgov: no remote named 'upstream' in {repo} (remotes: none)\n",
    )


@pytest.mark.parametrize("backend", ["libgit2", "git"])
def test_merge_is_a_union_under_compare_and_swap(repo: Path, backend: BackendName) -> None:
    head = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "commit", "-q", "--allow-empty", "-m", "second")
    second = git(repo, "rev-parse", "HEAD").strip()
    ours = NotesStore(repo, REF, backend=backend)
    theirs = NotesStore(repo, "refs/notes/theirs", backend=backend)
    ours.append(head, [b"base"])
    theirs.merge(ours.tip() or "")  # theirs starts from ours: a fast-forward
    assert theirs.tip() == ours.tip()
    ours.append(head, [b"z-ours"])
    theirs.append(head, [b"a-theirs"])
    theirs.append(second, [b"only theirs"])
    result = ours.merge(theirs.tip() or "")
    assert result.outcome == "merged"
    assert result.annotated == tuple(sorted([head, second]))
    assert ours.read(head) == b"a-theirs\nbase\nz-ours\n"
    assert ours.read(second) == b"only theirs\n"
    assert ours.merge(theirs.tip() or "").outcome == "up-to-date"
    assert theirs.merge(ours.tip() or "").outcome == "fast-forward"
    assert git(repo, "fsck", "--no-progress").strip() == ""


def test_push_from_a_pre_push_hook_shares_the_trail_without_recursing(remote: Path) -> None:
    alice = clone(remote, "alice")
    log = install_hook(alice, "pre-push", "audit", "push", shell_args='"$1"')  # the remote
    records_in(alice, "a", 2)
    git(alice, "commit", "-q", "--allow-empty", "-m", "work")
    git(alice, "push", "-q", "origin", "main")
    tip = git(alice, "rev-parse", REF).strip()
    assert (
        log.read_text()
        == (  # once: the notes push itself runs no hook
            f"origin has no trail on {REF} yet\npushed {REF} ({tip[:12]}) to origin\n"
        )
    )
    assert trail(remote) == {("a", 0), ("a", 1)}
