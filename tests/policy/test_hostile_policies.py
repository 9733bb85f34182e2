"""Hostile policy files fail fast and closed on every route into the loader.

Each file is run as a whole process under an address-space cap (1 GiB), so a regression
fails on memory instead of swapping the machine: ``agentgov validate FILE``, the Claude Code
hook in a repository whose working copy (or main branch) holds the file, and the git
pre-commit hook with the file staged. Each names the place in the file and what to fix,
exits with the documented code for an invalid policy (2), and prints no traceback.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from agentgov.adapters.git_hooks.install import install_git
from tests.claude_code.test_hook import payload
from tests.conftest import git
from tests.git_hooks.conftest import AGENTGOV, base_env, make_clone

INVALID = Path(__file__).parent / "invalid"
MEMORY_CAP = 1024 * 1024 * 1024


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_capped(
    argv: list[str], cwd: Path, stdin: bytes = b"", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``env`` replaces the environment (default: this one, without AGENTGOV_ variables)."""
    environ = env or {k: v for k, v in os.environ.items() if not k.startswith("AGENTGOV_")}
    done = subprocess.run(
        argv,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        env=environ,
        preexec_fn=_cap_memory,
        check=False,
    )
    return subprocess.CompletedProcess(
        done.args, done.returncode, done.stdout.decode(), done.stderr.decode()
    )


def alias_bomb() -> bytes:
    return (INVALID / "alias-bomb.yaml").read_bytes()


def deep_nesting() -> bytes:
    """200,000 nested lists in 400 KB: each level is a recursion of the YAML composer."""
    return b"version: 1\nrules: " + b"[" * 200_000 + b"]" * 200_000 + b"\n"


def deep_mappings() -> bytes:
    return b"version: 1\nrules: " + b"{a: " * 50_000 + b"1" + b"}" * 50_000 + b"\n"


def huge_file() -> bytes:
    """A valid policy followed by 64 MiB of comment."""
    return b"version: 1\ntask_classes:\n  default: {level: 3}\n" + b"#" * (64 * 1024 * 1024)


def many_values() -> bytes:
    """20,001 values and no alias: under the size cap, over the values cap."""
    rows = b"".join(b"      - src/%d/**\n" % n for n in range(20_001))
    return b"version: 1\ntask_classes:\n  default:\n    level: 3\n    paths:\n" + rows


HOSTILE: list[tuple[str, Callable[[], bytes], str]] = [
    (
        "alias-bomb",
        alias_bomb,
        "11:15: too many aliases: *p3 expands the policy past 20000 values (an alias "
        "bomb?); write the values out, or alias smaller ones",
    ),
    (
        "deep-lists",
        deep_nesting,
        "2:39: nested too deeply: more than 32 levels of lists and mappings; a policy "
        "needs fewer than ten, so flatten this value",
    ),
    (
        "deep-mappings",
        deep_mappings,
        "2:129: nested too deeply: more than 32 levels of lists and mappings; a policy "
        "needs fewer than ten, so flatten this value",
    ),
    (
        "huge-file",
        huge_file,
        "1:1: file is larger than 1 MiB, the most a policy may be (is this the right file?)",
    ),
    (
        "many-values",
        many_values,
        "19995:9: the policy has more than 20000 values; a policy is a few hundred "
        "(is this the right file?)",
    ),
]
IDS = [name for name, _, _ in HOSTILE]


@pytest.mark.parametrize(("name", "content", "problem"), HOSTILE, ids=IDS)
def test_validate_refuses_in_one_line_under_a_memory_cap(
    tmp_path: Path, name: str, content: Callable[[], bytes], problem: str
) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(content())
    done = run_capped([sys.executable, "-m", "agentgov", "validate", path.name], tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"{path.name}:{problem}\n")


def _hook_denies(repo: Path, label: str, problem: str) -> None:
    event = payload("pre-bash", repo, command="ls")
    done = run_capped(
        [sys.executable, "-m", "agentgov", "hook", "claude-code"],
        repo,
        stdin=json.dumps(event).encode(),
    )
    reason = f"agentgov blocked this call: {label}:{problem}"
    assert done.returncode == 2
    assert json.loads(done.stdout) == {
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "deny",
            "permissionDecisionReason": reason,
        }
    }
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(("name", "content", "problem"), HOSTILE, ids=IDS)
def test_claude_code_hook_denies_on_a_hostile_working_copy(
    repo: Path, name: str, content: Callable[[], bytes], problem: str
) -> None:
    (repo / ".agentgov").mkdir()
    (repo / ".agentgov" / "policy.yaml").write_bytes(content())
    _hook_denies(repo, ".agentgov/policy.yaml", problem)


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [HOSTILE[0], HOSTILE[1], HOSTILE[3]],
    ids=[IDS[0], IDS[1], IDS[3]],
)
def test_claude_code_hook_denies_on_a_hostile_committed_policy(
    repo: Path, name: str, content: Callable[[], bytes], problem: str
) -> None:
    (repo / ".agentgov").mkdir()
    (repo / ".agentgov" / "policy.yaml").write_bytes(content())
    git(repo, "add", ".agentgov")
    git(repo, "commit", "-q", "-m", "policy")
    _hook_denies(repo, "main:.agentgov/policy.yaml", problem)


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [HOSTILE[0], HOSTILE[1], HOSTILE[3]],
    ids=[IDS[0], IDS[1], IDS[3]],
)
def test_pre_commit_hook_refuses_a_hostile_staged_policy(
    tmp_path: Path, name: str, content: Callable[[], bytes], problem: str
) -> None:
    clone = make_clone(tmp_path)
    install_git(clone.path, agentgov_bin=AGENTGOV)
    (clone.path / ".agentgov").mkdir()
    (clone.path / ".agentgov" / "policy.yaml").write_bytes(content())
    clone.git("add", ".agentgov")
    done = run_capped(
        ["git", "commit", "-q", "-m", "policy"],
        clone.path,
        env=base_env(clone.home),
    )
    assert done.returncode == 1
    assert done.stderr == (
        "agentgov: commit refused\n"
        f"  [policy.valid] .agentgov/policy.yaml:{problem}\n"
        "    instead: fix the policy and stage it again (`agentgov validate` checks the "
        "working copy)\n"
    )
