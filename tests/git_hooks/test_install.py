"""`agentgov install git` / `uninstall git` in plain-hooks mode: where the hooks go, what
happens to a hook that was already there, what uninstall puts back, and the shims."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from agentgov.adapters.git_hooks.install import (
    HOOK_NAMES,
    STATE_FILE,
    hooks_dir,
    install_git,
    uninstall_git,
)
from agentgov.errors import UsageError
from tests.git_hooks.conftest import AGENTGOV, Clone, make_clone

RECORDING_HOOK = """#!/bin/sh
echo "args: $*" >> "{log}"
cat >> "{log}"
exit {status}
"""


def diverge(clone: Clone) -> None:
    clone.commit("pushed")
    clone.git("push", "-q", "origin", "main")
    clone.git("reset", "-q", "--hard", "HEAD~1")
    clone.commit("rewritten")


def write_hook(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)


def config(clone: Clone, key: str) -> list[str]:
    done = clone.run("config", "--local", "--get-all", key)
    return done.stdout.split()


def test_install_writes_the_four_shims_with_this_agentgov_in_them(bare_clone: Clone) -> None:
    report = install_git(bare_clone.path, agentgov_bin=AGENTGOV)
    directory = bare_clone.path / ".git" / "hooks"
    assert report.hooks_dir == directory
    assert report.hooks == HOOK_NAMES
    assert report.chained == ()
    for name in HOOK_NAMES:
        shim = directory / name
        assert shim.stat().st_mode & stat.S_IXUSR
        text = shim.read_text()
        assert f"AGENTGOV_INSTALLED={AGENTGOV}\n" in text
        assert f'exec "$candidate" hook git {name} --hook-dir "$hook_dir" -- "$@"' in text
    assert (bare_clone.path / ".git" / "agentgov" / STATE_FILE).is_file()


def test_install_sets_the_notes_configuration_once(bare_clone: Clone) -> None:
    install_git(bare_clone.path, agentgov_bin=AGENTGOV)
    install_git(bare_clone.path, agentgov_bin=AGENTGOV)
    assert config(bare_clone, "notes.rewriteRef") == ["refs/notes/agentgo[v]"]
    assert config(bare_clone, "notes.rewriteMode") == ["cat_sort_uniq"]
    assert config(bare_clone, "notes.agentgov.mergeStrategy") == ["cat_sort_uniq"]


def test_install_twice_changes_nothing(bare_clone: Clone) -> None:
    install_git(bare_clone.path, agentgov_bin=AGENTGOV)
    directory = bare_clone.path / ".git" / "hooks"
    before = {p.name: p.read_bytes() for p in directory.iterdir()}
    state = (bare_clone.path / ".git" / "agentgov" / STATE_FILE).read_text()
    report = install_git(bare_clone.path, agentgov_bin=AGENTGOV)
    assert {p.name: p.read_bytes() for p in directory.iterdir()} == before
    assert (bare_clone.path / ".git" / "agentgov" / STATE_FILE).read_text() == state
    assert report.chained == ()


def test_an_existing_hook_is_kept_and_still_runs_with_the_same_input(
    bare_clone: Clone, tmp_path: Path
) -> None:
    log = tmp_path / "pre-push.log"
    hook = bare_clone.path / ".git" / "hooks" / "pre-push"
    write_hook(hook, RECORDING_HOOK.format(log=log, status=0))
    report = install_git(bare_clone.path, agentgov_bin=AGENTGOV)
    assert report.chained == ("pre-push",)
    assert (hook.parent / "pre-push.pre-agentgov").read_text() == RECORDING_HOOK.format(
        log=log, status=0
    )
    tip = bare_clone.commit("ahead")
    done = bare_clone.run("push", "origin", "main")
    assert done.returncode == 0, done.stderr
    assert log.read_text() == (
        f"args: origin {bare_clone.remote}\n"
        f"refs/heads/main {tip} refs/heads/main {bare_clone.head('HEAD~1')}\n"
    )


def test_a_failing_existing_hook_still_fails_the_commit(bare_clone: Clone, tmp_path: Path) -> None:
    write_hook(
        bare_clone.path / ".git" / "hooks" / "pre-commit",
        "#!/bin/sh\necho 'team lint: no' >&2\nexit 3\n",
    )
    install_git(bare_clone.path, agentgov_bin=AGENTGOV)
    (bare_clone.path / "a.txt").write_text("a\n")
    bare_clone.git("add", "a.txt")
    done = bare_clone.run("commit", "-q", "-m", "a")
    assert done.returncode != 0
    assert "team lint: no" in done.stderr


def test_an_existing_post_commit_hook_runs_too(bare_clone: Clone, tmp_path: Path) -> None:
    log = tmp_path / "post-commit.log"
    write_hook(
        bare_clone.path / ".git" / "hooks" / "post-commit",
        RECORDING_HOOK.format(log=log, status=0),
    )
    install_git(bare_clone.path, agentgov_bin=AGENTGOV)
    bare_clone.commit("c")
    assert log.read_text() == "args: \n"


def test_install_never_overwrites_a_hook(bare_clone: Clone) -> None:
    directory = bare_clone.path / ".git" / "hooks"
    write_hook(directory / "pre-push", "#!/bin/sh\nexit 0\n")
    write_hook(directory / "pre-push.pre-agentgov", "#!/bin/sh\nexit 1\n")
    with pytest.raises(UsageError, match="agentgov will not overwrite either"):
        install_git(bare_clone.path, agentgov_bin=AGENTGOV)
    assert (directory / "pre-push").read_text() == "#!/bin/sh\nexit 0\n"
    assert (directory / "pre-push.pre-agentgov").read_text() == "#!/bin/sh\nexit 1\n"


def test_uninstall_restores_hooks_and_configuration_exactly(bare_clone: Clone) -> None:
    directory = bare_clone.path / ".git" / "hooks"
    original = "#!/bin/sh\n# the team's own\nexit 0\n"
    write_hook(directory / "pre-push", original)
    (directory / "pre-push").chmod(0o750)
    bare_clone.git("config", "notes.rewriteRef", "refs/notes/commits")
    bare_clone.git("config", "notes.rewriteMode", "concatenate")
    listing = sorted(p.name for p in directory.iterdir())
    install_git(bare_clone.path, agentgov_bin=AGENTGOV)
    assert config(bare_clone, "notes.rewriteRef") == ["refs/notes/commits", "refs/notes/agentgo[v]"]
    report = uninstall_git(bare_clone.path)
    assert set(report.hooks) == set(HOOK_NAMES)
    assert report.chained == ("pre-push",)
    assert sorted(p.name for p in directory.iterdir()) == listing
    assert (directory / "pre-push").read_text() == original
    assert stat.S_IMODE((directory / "pre-push").stat().st_mode) == 0o750
    assert config(bare_clone, "notes.rewriteRef") == ["refs/notes/commits"]
    assert config(bare_clone, "notes.rewriteMode") == ["concatenate"]
    assert config(bare_clone, "notes.agentgov.mergeStrategy") == []
    assert not (bare_clone.path / ".git" / "agentgov" / STATE_FILE).exists()


@pytest.mark.parametrize("where", ["relative", "absolute"])
def test_core_hooks_path_is_respected(bare_clone: Clone, tmp_path: Path, where: str) -> None:
    shared = tmp_path / "shared-hooks"
    value = ".githooks" if where == "relative" else str(shared)
    bare_clone.git("config", "core.hooksPath", value)
    report = install_git(bare_clone.path, agentgov_bin=AGENTGOV)
    expected = bare_clone.path / ".githooks" if where == "relative" else shared
    assert report.hooks_dir == expected
    assert (expected / "pre-push").is_file()
    assert not (bare_clone.path / ".git" / "hooks" / "pre-push").exists()
    diverge(bare_clone)
    done = bare_clone.run("push", "--force", "origin", "main")
    assert done.returncode != 0
    assert "[git.force-push-protected]" in done.stderr


def test_a_linked_worktree_shares_the_repository_hooks(bare_clone: Clone, tmp_path: Path) -> None:
    bare_clone.git("worktree", "add", "-q", "-b", "side", str(tmp_path / "side"))
    side = Clone(tmp_path / "side", bare_clone.remote, bare_clone.home)
    report = install_git(side.path, agentgov_bin=AGENTGOV)
    assert report.hooks_dir == bare_clone.path / ".git" / "hooks"
    done = side.run("push", "origin", ":main")
    assert done.returncode != 0
    assert "[git.delete-protected-branch]" in done.stderr


def test_a_submodule_gets_its_own_hooks(bare_clone: Clone, tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    library = make_clone(tmp_path / "lib", "lib-work")
    bare_clone.git(
        "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(library.remote), "lib"
    )
    sub = bare_clone.path / "lib"
    assert hooks_dir(sub) == bare_clone.path / ".git" / "modules" / "lib" / "hooks"
    install_git(sub, agentgov_bin=AGENTGOV)
    assert (bare_clone.path / ".git" / "modules" / "lib" / "hooks" / "pre-push").is_file()
    assert not (bare_clone.path / ".git" / "hooks" / "pre-push").exists()


def shim_env(clone: Clone, **extra: str) -> dict[str, str]:
    env = {"PATH": "/usr/bin:/bin"}
    env.update(extra)
    return env


def test_a_missing_agentgov_refuses_the_push_and_says_how_to_fix_it(bare_clone: Clone) -> None:
    bare_clone.commit("ahead")
    install_git(bare_clone.path, agentgov_bin=bare_clone.path / "nowhere" / "agentgov")
    done = bare_clone.run("push", "origin", "main", env=shim_env(bare_clone))
    assert done.returncode != 0
    assert "agentgov: not found, so this push is refused" in done.stderr
    assert "pip install agentgov" in done.stderr


def test_a_missing_agentgov_only_warns_after_a_commit(bare_clone: Clone, tmp_path: Path) -> None:
    log = tmp_path / "post-commit.log"
    write_hook(
        bare_clone.path / ".git" / "hooks" / "post-commit",
        RECORDING_HOOK.format(log=log, status=0),
    )
    install_git(bare_clone.path, agentgov_bin=bare_clone.path / "nowhere" / "agentgov")
    (bare_clone.path / "a.txt").write_text("a\n")
    bare_clone.git("add", "a.txt")
    done = bare_clone.run("commit", "-q", "--no-verify", "-m", "a", env=shim_env(bare_clone))
    assert done.returncode == 0
    assert "agentgov: warning: not found, so the audit trail did not follow" in done.stderr
    assert log.read_text() == "args: \n"  # the kept hook still ran


def test_agentgov_bin_comes_first(bare_clone: Clone, tmp_path: Path) -> None:
    fake = tmp_path / "fake-agentgov"
    write_hook(fake, f'#!/bin/sh\necho "fake $*" > "{tmp_path / "called"}"\nexit 1\n')
    install_git(bare_clone.path, agentgov_bin=AGENTGOV)
    bare_clone.commit("ahead")
    done = bare_clone.run("push", "origin", "main", env={"AGENTGOV_BIN": str(fake)})
    assert done.returncode != 0
    hook_dir = bare_clone.path / ".git" / "hooks"
    called = (tmp_path / "called").read_text()
    assert called.startswith("fake hook git pre-push --hook-dir ")
    assert called.endswith(f" -- origin {bare_clone.remote}\n")
    assert os.path.samefile(bare_clone.path / called.split(" ")[5], hook_dir)


def test_hooks_never_read_a_terminal(clone: Clone) -> None:
    # stdin closed: the hook sees no updates and no prompt can block it.
    done = subprocess.run(
        [str(AGENTGOV), "hook", "git", "post-rewrite", "--", "amend"],
        cwd=clone.path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr


def _file_as_hooks_path(clone: Clone, tmp_path: Path) -> Path:
    (tmp_path / "hooks-file").write_text("not a directory\n")
    clone.git("config", "core.hooksPath", str(tmp_path / "hooks-file"))
    return tmp_path / "hooks-file"


def _hooks_path_inside_a_file(clone: Clone, tmp_path: Path) -> Path:
    (tmp_path / "hooks-file").write_text("not a directory\n")
    clone.git("config", "core.hooksPath", str(tmp_path / "hooks-file" / "hooks"))
    return tmp_path / "hooks-file" / "hooks"


UNWRITABLE: list[tuple[Callable[[Clone, Path], Path], str]] = [
    (_file_as_hooks_path, "it is a file, not a directory"),
    (_hooks_path_inside_a_file, "a part of its path is a file, not a directory"),
]


def _run_agentgov(clone: Clone, *args: str) -> subprocess.CompletedProcess[str]:
    return clone.run_command([str(AGENTGOV), *args])


def _untouched(clone: Clone) -> None:
    assert not (clone.path / ".git" / "agentgov" / STATE_FILE).exists()
    assert config(clone, "notes.rewriteRef") == []
    assert config(clone, "notes.rewriteMode") == []
    hooks = clone.path / ".git" / "hooks"
    assert [p.name for p in hooks.iterdir() if not p.name.endswith(".sample")] == []


@pytest.mark.parametrize(("where", "reason"), UNWRITABLE, ids=["file", "inside-a-file"])
def test_install_into_an_unusable_hooks_path_is_a_user_error(
    bare_clone: Clone, tmp_path: Path, where: Callable[[Clone, Path], Path], reason: str
) -> None:
    directory = where(bare_clone, tmp_path)
    done = _run_agentgov(bare_clone, "install", "git")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"agentgov: cannot install agentgov's git hooks: {directory} (git's hooks "
        f"directory) is not writable: {reason}. Nothing was changed; make it a directory "
        "you can write, or point core.hooksPath at one (git config core.hooksPath <dir>; "
        "git config --unset core.hooksPath for .git/hooks), then rerun `agentgov install git`\n"
    )
    _untouched(bare_clone)


def _make_unwritable(directory: Path) -> bool:
    """chmod a-w for a user; root writes through permissions, so it gets the immutable
    attribute where the file system has one. True when a write really fails now."""
    if os.geteuid() != 0:
        directory.chmod(0o555)
    else:
        done = subprocess.run(["chattr", "+i", str(directory)], capture_output=True, check=False)
        if done.returncode != 0:
            return False
    try:
        (directory / "probe").write_text("")
    except OSError:
        return True
    (directory / "probe").unlink()
    return False


def _make_writable(directory: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(directory)], capture_output=True, check=False)
    directory.chmod(0o755)


def _run_with_unwritable(
    clone: Clone, directory: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    """``agentgov args`` while ``directory`` cannot be written; skips where it always can."""
    if not _make_unwritable(directory):
        _make_writable(directory)
        pytest.skip("this file system lets this user write to any directory")
    try:
        return _run_agentgov(clone, *args)
    finally:
        _make_writable(directory)


def test_install_into_a_read_only_hooks_directory_is_a_user_error(bare_clone: Clone) -> None:
    directory = bare_clone.path / ".git" / "hooks"
    for sample in directory.iterdir():
        sample.unlink()
    done = _run_with_unwritable(bare_clone, directory, "install", "git")
    assert (done.returncode, done.stdout) == (2, "")
    reason = "Operation not permitted" if os.geteuid() == 0 else "Permission denied"
    assert done.stderr == (
        f"agentgov: cannot install agentgov's git hooks: {directory} (git's hooks "
        f"directory) is not writable: {reason}. Nothing was changed; make it a directory "
        "you can write, or point core.hooksPath at one (git config core.hooksPath <dir>; "
        "git config --unset core.hooksPath for .git/hooks), then rerun `agentgov install git`\n"
    )
    _untouched(bare_clone)


def test_uninstall_from_a_read_only_hooks_directory_changes_nothing(bare_clone: Clone) -> None:
    install_git(bare_clone.path, agentgov_bin=AGENTGOV)
    directory = bare_clone.path / ".git" / "hooks"
    before = {p.name: p.read_bytes() for p in directory.iterdir()}
    done = _run_with_unwritable(bare_clone, directory, "uninstall", "git")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith(
        f"agentgov: cannot uninstall agentgov's git hooks: {directory} (git's hooks "
        "directory) is not writable: "
    )
    assert done.stderr.endswith("then rerun `agentgov uninstall git`\n")
    assert {p.name: p.read_bytes() for p in directory.iterdir()} == before
    assert (bare_clone.path / ".git" / "agentgov" / STATE_FILE).is_file()
    assert config(bare_clone, "notes.rewriteRef") == ["refs/notes/agentgo[v]"]


def test_amend_in_a_fresh_clone_without_the_trail_is_silent(tmp_path: Path) -> None:
    fresh = make_clone(tmp_path)
    install_git(fresh.path, agentgov_bin=AGENTGOV)
    assert fresh.run("rev-parse", "--verify", "--quiet", "refs/notes/agentgov").returncode == 1
    done = fresh.run("commit", "-q", "--amend", "-m", "second, reworded")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    rebased = fresh.run("rebase", "-q", "--force-rebase", "HEAD~1")
    assert (rebased.returncode, rebased.stderr) == (0, "")


@pytest.mark.parametrize(
    "rewrite",
    [
        ("commit", "-q", "--amend", "-m", "second, reworded"),
        ("rebase", "-q", "--force-rebase", "HEAD~1"),
    ],
    ids=["amend", "rebase"],
)
def test_notes_follow_amend_and_rebase_once_the_ref_exists(
    tmp_path: Path, rewrite: tuple[str, ...]
) -> None:
    fresh = make_clone(tmp_path)
    install_git(fresh.path, agentgov_bin=AGENTGOV)
    fresh.git("notes", "--ref", "agentgov", "add", "-m", '{"v": 1, "kind": "turn"}', "HEAD")
    done = fresh.run(*rewrite)
    assert (done.returncode, done.stderr) == (0, "")
    assert fresh.git("notes", "--ref", "agentgov", "show", "HEAD") == '{"v": 1, "kind": "turn"}\n'


def test_a_later_install_replaces_an_older_plain_rewrite_ref(bare_clone: Clone) -> None:
    install_git(bare_clone.path, agentgov_bin=AGENTGOV)
    state_path = bare_clone.path / ".git" / "agentgov" / STATE_FILE
    state = json.loads(state_path.read_text())
    del state["notes"]["rewrite_ref_value"]  # as an install before the glob wrote it
    state_path.write_text(json.dumps(state))
    bare_clone.git("config", "--unset-all", "notes.rewriteRef")
    bare_clone.git("config", "--add", "notes.rewriteRef", "refs/notes/agentgov")
    install_git(bare_clone.path, agentgov_bin=AGENTGOV)
    assert config(bare_clone, "notes.rewriteRef") == ["refs/notes/agentgo[v]"]
    uninstall_git(bare_clone.path)
    assert config(bare_clone, "notes.rewriteRef") == []
