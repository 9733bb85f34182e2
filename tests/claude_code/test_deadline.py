"""A hook that cannot decide in time denies: Claude Code lets the call through when a hook
outlives its timeout, so agentgov answers first, at its own deadline (and the shim kills
it at a later backstop where no signal handler can run).

The stall is real: the test holds the session journal's lock, as a stuck agentgov would,
or puts a git that hangs first on PATH. The subprocess timeouts are
only failure guards; nothing here asserts a duration.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.claude_code.test_hook import HOOK, governed, payload

__all__ = ["governed"]  # the shared fixture, used by parameter name

CHECKOUT = Path(__file__).resolve().parents[2]
SHIM = CHECKOUT / "hooks" / "claude-code"
GUARD = 120  # seconds: the test fails, rather than hangs, if the hook never ends
REASON = "agentgov did not decide within its 1s deadline"


@pytest.fixture
def journal_locked(governed: Path) -> Iterator[Path]:
    """The session's journal file, locked by this test for as long as it runs."""
    directory = governed / ".git" / "agentgov" / "journal"
    directory.mkdir(parents=True, exist_ok=True)
    handle = os.open(directory / "abc123.jsonl", os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(handle, fcntl.LOCK_EX)
    try:
        yield governed
    finally:
        os.close(handle)


def run(
    argv: list[str], cwd: Path, data: dict[str, object], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("AGENTGOV_")}
    environ.pop("CI", None)
    environ.update(env)
    return subprocess.run(
        argv,
        input=json.dumps(data),
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
        timeout=GUARD,
    )


def test_a_held_journal_lock_denies_at_the_deadline(journal_locked: Path) -> None:
    data = payload("pre-bash", journal_locked, command="git status")
    done = run(HOOK, journal_locked, data, {"AGENTGOV_HOOK_DEADLINE": "1"})
    assert done.returncode == 2
    answer = json.loads(done.stdout)["hookSpecificOutput"]
    assert answer["hookEventName"] == "PreToolUse"
    assert answer["permissionDecision"] == "deny"
    assert answer["permissionDecisionReason"].startswith(f"agentgov blocked this call: {REASON}")
    assert done.stderr.startswith(f"agentgov: {REASON}")
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("name", "code", "stdout"),
    [
        ("post-bash", 2, ""),  # shown to Claude: the tool already ran
        ("user-prompt-submit", 1, ""),  # shown, not blocking: the prompt is the user's
        ("stop", 1, ""),  # exit 2 would force the turn to go on
        ("session-start", 1, ""),
    ],
)
def test_other_events_fail_at_the_deadline_as_their_failures_do(
    journal_locked: Path, name: str, code: int, stdout: str
) -> None:
    done = run(HOOK, journal_locked, payload(name, journal_locked), {"AGENTGOV_HOOK_DEADLINE": "1"})
    assert (done.returncode, done.stdout) == (code, stdout)
    assert done.stderr.startswith(f"agentgov: {REASON}")


def test_a_hung_git_denies_at_the_deadline(governed: Path, tmp_path: Path) -> None:
    """The first call after a policy commit reads the policy through git; a git that
    hangs (a held lock on a network file system, a credential prompt) must not hold the
    answer past the deadline. The git found first on PATH hangs and records its pid."""
    bin_dir = tmp_path / "hung-bin"
    bin_dir.mkdir()
    pids = tmp_path / "hung-pids"
    hung = bin_dir / "git"
    hung.write_text(f"#!/bin/sh\necho $$ >> {pids}\nexec sleep 600\n")
    hung.chmod(0o755)
    data = payload("pre-bash", governed, command="git status")
    env = {"AGENTGOV_HOOK_DEADLINE": "2", "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    try:
        done = run(HOOK, governed, data, env)
    finally:
        for pid in pids.read_text().split() if pids.exists() else []:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)
    assert pids.exists()  # the hook did reach the hung git
    assert done.returncode == 2
    answer = json.loads(done.stdout)["hookSpecificOutput"]
    assert answer["permissionDecision"] == "deny"
    assert "did not decide within its 2s deadline" in answer["permissionDecisionReason"]


def test_the_shim_backstop_blocks_a_hook_whose_own_deadline_never_comes(
    journal_locked: Path,
) -> None:
    """Where no signal handler runs (C code holding the interpreter), only the shim can
    end the hook. Here agentgov's own deadline is set far away, so the backstop acts."""
    data = payload("pre-bash", journal_locked, command="git status")
    env = {
        "AGENTGOV_BIN": str(Path(sys.executable).parent / "agentgov"),
        "AGENTGOV_HOOK_DEADLINE": "600",
        "AGENTGOV_HOOK_BACKSTOP": "1",
    }
    done = run(["sh", str(SHIM)], journal_locked, data, env)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "agentgov did not answer within 1s, so this call is blocked; retry it, and report "
        "the hook input if it repeats\n"
    )


def test_a_hook_that_answers_in_time_passes_through_the_shim(governed: Path) -> None:
    """The backstop changes nothing for a hook that answers: stdin reaches agentgov, and
    its answer and exit code come back."""
    data = payload("pre-bash", governed, command="git push --force origin main")
    env = {"AGENTGOV_BIN": str(Path(sys.executable).parent / "agentgov")}
    done = run(["sh", str(SHIM)], governed, data, env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"
