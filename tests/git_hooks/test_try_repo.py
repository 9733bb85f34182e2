"""The real `pre-commit try-repo` against this checkout: the manifest's hooks, installed by
pre-commit from the checkout (language: python), refuse what agentgov refuses.

try-repo always builds a fresh environment in a temporary store (it ignores
PRE_COMMIT_HOME), so each call pip-installs the checkout and its dependencies: about 8 s
with a warm pip cache. The dependencies come from the configured package indexes (PyPI),
so these tests need them reachable or already in the pip cache. A checkout with
uncommitted changes is tried as pre-commit's "shadow" copy of its working tree.

A deletion cannot be shown here: pre-commit never runs its pre-push hooks for one (see
test_framework.py for the wrapper that closes that gap).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.git_hooks.conftest import CHECKOUT, Clone

PIP_CACHE = os.environ.get("PIP_CACHE_DIR") or str(Path.home() / ".cache" / "pip")


def try_repo(clone: Clone, *args: str) -> subprocess.CompletedProcess[str]:
    return clone.run_command(
        [sys.executable, "-m", "pre_commit", "try-repo", str(CHECKOUT), *args],
        env={"PIP_CACHE_DIR": PIP_CACHE},
        timeout=600,
    )


def pre_push(clone: Clone, from_ref: str, to_ref: str) -> subprocess.CompletedProcess[str]:
    return try_repo(
        clone,
        "agentgov-protect",
        "--hook-stage",
        "pre-push",
        "--from-ref",
        from_ref,
        "--to-ref",
        to_ref,
        "--remote-branch",
        "refs/heads/main",
        "--local-branch",
        "refs/heads/main",
        "--remote-name",
        "origin",
        "--remote-url",
        str(clone.remote),
    )


@pytest.fixture
def pushed(bare_clone: Clone) -> Clone:
    """The remote's main has a commit the clone then rewrites."""
    bare_clone.commit("pushed")
    bare_clone.git("push", "-q", "origin", "main")
    return bare_clone


def test_try_repo_refuses_a_force_push_to_main(pushed: Clone) -> None:
    remote_tip = pushed.head()
    pushed.git("reset", "-q", "--hard", "HEAD~1")
    rewritten = pushed.commit("rewritten")
    done = pre_push(pushed, remote_tip, rewritten)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "agentgov: protected branches and tags....." in output
    assert "Failed" in output
    assert "agentgov: push to origin refused" in output
    assert (
        "[git.force-push-protected] refs/heads/main: force-push to the protected branch main"
        in (output)
    )


def test_try_repo_lets_a_fast_forward_through(pushed: Clone) -> None:
    remote_tip = pushed.head()
    ahead = pushed.commit("ahead")
    done = pre_push(pushed, remote_tip, ahead)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Passed" in output


def test_try_repo_refuses_an_invalid_staged_policy(bare_clone: Clone) -> None:
    (bare_clone.path / ".agentgov").mkdir()
    (bare_clone.path / ".agentgov" / "policy.yaml").write_text(
        "version: 1\ntask_classes:\n  default:\n    level: 9\n"
    )
    bare_clone.git("add", ".agentgov/policy.yaml")
    done = try_repo(bare_clone, "agentgov-validate")
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "[policy.valid] .agentgov/policy.yaml:4:12: task_classes.default.level:" in output
