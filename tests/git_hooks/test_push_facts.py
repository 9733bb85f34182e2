"""What only git or the process table can tell: ancestry, mirror and prune pushes."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentgov.adapters.git_hooks.protect import Ancestry
from agentgov.adapters.git_hooks.push_facts import (
    PushFlags,
    ancestor_argvs,
    ancestry,
    flags_in_argv,
    implied_deletions,
    push_flags,
)
from agentgov.adapters.git_hooks.push_updates import RefUpdate
from tests.git_hooks.conftest import Clone

Z = "0" * 40


@pytest.mark.parametrize(
    ("argv", "mirror", "prune"),
    [
        (("git", "push", "--mirror"), True, False),
        (("/usr/bin/git", "push", "--mirror", "origin"), True, False),
        (("git", "-c", "x.y=1", "-C", "dir", "push", "--mirr", "origin"), True, False),
        (("git", "--no-pager", "push", "--mi"), True, False),
        (("git", "push", "--prune", "origin", "refs/heads/*:refs/heads/*"), False, True),
        (("git", "push", "--pru", "origin"), False, True),
        (("git", "push", "--pr", "origin"), False, False),  # ambiguous: --progress, --prune
        (("git", "push", "origin", "--", "--mirror"), False, False),
        (("git", "push", "origin", "main"), False, False),
        (("git", "fetch", "--prune"), False, False),
        (("git", "-C", "push", "fetch", "--mirror"), False, False),
        (("sh", "push", "--mirror"), False, False),
        ((), False, False),
    ],
)
def test_flags_from_a_command_line(argv: tuple[str, ...], mirror: bool, prune: bool) -> None:
    flags = flags_in_argv(argv)
    assert (flags.mirror is not None, flags.prune is not None) == (mirror, prune)


def fake_proc(tmp_path: Path, chain: list[tuple[int, int, list[str]]]) -> Path:
    """A /proc-shaped tree: (pid, parent pid, argv) per process."""
    proc = tmp_path / "proc"
    for pid, parent, argv in chain:
        (proc / str(pid)).mkdir(parents=True)
        (proc / str(pid) / "cmdline").write_bytes(b"\0".join(a.encode() for a in argv) + b"\0")
        (proc / str(pid) / "status").write_text(f"Name:\tx\nPPid:\t{parent}\n")
    return proc


def test_ancestors_are_read_nearest_first(tmp_path: Path) -> None:
    proc = fake_proc(
        tmp_path,
        [
            (40, 30, ["python", "-m", "pre_commit", "hook-impl"]),
            (30, 20, ["git", "push", "--mirror", "origin"]),
            (20, 1, ["bash"]),
        ],
    )
    argvs = ancestor_argvs(40, proc)
    assert argvs == (
        ("python", "-m", "pre_commit", "hook-impl"),
        ("git", "push", "--mirror", "origin"),
        ("bash",),
    )
    assert ancestor_argvs(99, proc) == ((),)


def test_the_nearest_git_process_decides(clone: Clone, tmp_path: Path) -> None:
    argvs: tuple[tuple[str, ...], ...] = (
        ("python",),
        ("git", "push", "origin"),
        ("git", "push", "--mirror"),
    )
    assert push_flags(clone.path, "origin", argvs) == PushFlags()
    argvs = (("python",), ("git", "push", "--mirror", "origin"))
    assert push_flags(clone.path, "origin", argvs).mirror == "git push --mirror"


def test_a_mirror_remote_is_a_mirror_push_whatever_was_typed(clone: Clone) -> None:
    clone.git("config", "remote.origin.mirror", "true")
    assert push_flags(clone.path, "origin", ()).mirror == "remote.origin.mirror is true"
    assert push_flags(clone.path, "other", ()).mirror is None


def test_implied_deletions_are_the_remote_refs_this_clone_lacks() -> None:
    remote = {
        "refs/heads/main": "a" * 40,
        "refs/heads/gone": "b" * 40,
        "refs/tags/v1": "c" * 40,
        "refs/heads/listed": "d" * 40,
        "refs/notes/agentgov": "e" * 40,
    }
    local = frozenset({"refs/heads/main"})
    listed = frozenset({"refs/heads/listed"})
    mirror = implied_deletions(remote, local, PushFlags(mirror="git push --mirror"), listed)
    assert [(u.remote_ref, u.local_oid, u.remote_oid) for u in mirror] == [
        ("refs/heads/gone", Z, "b" * 40),
        ("refs/tags/v1", Z, "c" * 40),
    ]
    assert all(u.implied.startswith("git push --mirror: ") for u in mirror)
    prune = implied_deletions(remote, local, PushFlags(prune="git push --prune"), listed)
    assert [u.remote_ref for u in prune] == ["refs/heads/gone"]
    assert implied_deletions(remote, local, PushFlags(), listed) == ()


def test_ancestry_against_a_real_repository(clone: Clone, tmp_path: Path) -> None:
    base = clone.head()
    ahead = clone.commit("ahead")
    clone.git("reset", "-q", "--hard", base)
    aside = clone.commit("aside")

    def of(local: str, remote: str) -> Ancestry:
        return ancestry(clone.path, RefUpdate("x", local, "refs/heads/main", remote))

    assert of(ahead, base) is Ancestry.FAST_FORWARD
    assert of(aside, ahead) is Ancestry.REWRITE
    assert of(base, ahead) is Ancestry.REWRITE  # a rewind
    assert of(ahead, "f" * 40) is Ancestry.REMOTE_UNKNOWN
    assert of(Z, base) is Ancestry.NOT_CHECKED
    assert of(base, Z) is Ancestry.NOT_CHECKED
