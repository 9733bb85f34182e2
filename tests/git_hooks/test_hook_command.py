"""The hooks' entry point: exit codes for every outcome, and never a wait on a terminal."""

from __future__ import annotations

import io
import os
import subprocess
import time
from pathlib import Path

import pytest

from agentgov.adapters.git_hooks import hook_command
from agentgov.adapters.git_hooks.hook_io import HookIO
from agentgov.entry import main as entry_main
from tests.git_hooks.conftest import AGENTGOV, Clone, base_env


def run(argv: list[str], environ: dict[str, str] | None = None) -> tuple[int, str]:
    err = io.StringIO()
    code = hook_command.run(argv, None, err, environ or {})
    return code, err.getvalue()


def test_a_pre_push_hook_with_a_terminal_on_stdin_stops_at_once(clone: Clone) -> None:
    leader, follower = os.openpty()
    try:
        started = time.monotonic()
        done = subprocess.run(
            [str(AGENTGOV), "hook", "git", "pre-push", "--", "origin", str(clone.remote)],
            cwd=clone.path,
            stdin=follower,
            capture_output=True,
            text=True,
            env=base_env(clone.home),
            check=False,
            timeout=30,
        )
    finally:
        os.close(leader)
        os.close(follower)
    assert time.monotonic() - started < 10
    assert done.returncode == 2
    assert "stdin is a terminal: it is run by git push, not by hand" in done.stderr


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["git", "pre-rebase", "--"], "unknown hook 'git pre-rebase'"),
        (["svn", "pre-push"], "unknown hook 'svn pre-push'"),
        (["pre-commit", "lint"], "unknown hook 'pre-commit lint'"),
        (["git", "pre-push", "--verbose", "--", "o", "u"], "unknown option '--verbose'"),
        ([], "unknown hook ''"),
    ],
)
def test_usage_errors_exit_2(argv: list[str], message: str) -> None:
    code, err = run(argv)
    assert code == 2
    assert message in err
    assert "usage: agentgov hook git" in err


def test_outside_a_repository_a_blocking_hook_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GIT_DIR", raising=False)
    code, err = run(["git", "pre-commit", "--hook-dir", str(tmp_path), "--"])
    assert (code, err) == (2, "agentgov: not inside a git repository: git hooks run in one\n")
    code, err = run(["git", "post-commit", "--hook-dir", str(tmp_path), "--"])
    assert code == 0
    assert err.startswith("agentgov: warning: not inside a git repository")


def crash(root: Path, hook_dir: Path, args: list[str], io: HookIO) -> int:
    raise RuntimeError("boom")


def test_a_crash_refuses_with_exit_3_and_no_traceback(
    clone: Clone, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(clone.path)
    monkeypatch.setitem(hook_command._GIT, "pre-push", crash)
    monkeypatch.setitem(hook_command._GIT, "post-commit", crash)
    code, err = run(["git", "pre-push", "--", "origin", "url"])
    assert code == 3
    assert err == (
        "agentgov: internal error in the pre-push hook (RuntimeError: boom); the push is "
        "refused until this is fixed: please report it (AGENTGOV_DEBUG=1 shows the traceback)\n"
    )
    code, err = run(["git", "post-commit", "--"])
    assert (code, err) == (
        0,
        "agentgov: warning: internal error in the post-commit hook (RuntimeError: boom)\n",
    )


def test_the_console_script_dispatches_hooks_before_the_cli(
    clone: Clone, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(clone.path)
    assert entry_main(["hook", "pre-commit", "nothing"]) == 2
    assert "unknown hook 'pre-commit nothing'" in capsys.readouterr().err
