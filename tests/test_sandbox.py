"""Level 4 acts as level 3 unless a sandbox is found: each signal, present or absent,
through the real hook (a fresh process, a real Claude Code payload) and ``agentgov
decide``, which must agree on the level, the verdict and why."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from agentgov.adapters.sandbox import detect_sandbox
from tests.claude_code.test_hook import governed, payload
from tests.conftest import git
from tests.git_hooks.conftest import base_env
from tests.test_kill_switch import hook

__all__ = ["governed"]

AGENTGOV = [sys.executable, "-m", "agentgov"]
NETWORK = "curl -fsS https://example.com/status"


@pytest.fixture
def sandboxed_default(governed: Path) -> Path:
    """The default policy with the default class at level 4 execute-sandboxed, so that a
    network command is allowed in a sandbox (level 4) and asked without one (level 3)."""
    policy = governed / ".agentgov" / "policy.yaml"
    text = policy.read_text()
    policy.write_text(text.replace("level: execute-gated", "level: execute-sandboxed", 1))
    git(governed, "commit", "-qam", "default class at level 4")
    return governed


Setup = Callable[[Path, Path, Path], dict[str, str]]
"""(repository, home, probe root) -> extra environment; writes the files a signal needs."""


def _nothing(repo: Path, home: Path, root: Path) -> dict[str, str]:
    return {}


def _declared(value: str) -> Setup:
    def setup(repo: Path, home: Path, root: Path) -> dict[str, str]:
        (root / ".dockerenv").touch()  # ignored when AGENTGOV_SANDBOX says 0
        return {"AGENTGOV_SANDBOX": value}

    return setup


def _settings(where: str, enabled: bool) -> Setup:
    def setup(repo: Path, home: Path, root: Path) -> dict[str, str]:
        path = {
            "project": repo / ".claude" / "settings.json",
            "local": repo / ".claude" / "settings.local.json",
            "user": home / ".claude" / "settings.json",
            "managed": root / "etc" / "claude-code" / "managed-settings.json",
        }[where]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps({"sandbox": {"enabled": enabled, "autoAllowBashIfSandboxed": True}})
        )
        return {}

    return setup


def _both(*setups: Setup) -> Setup:
    def setup(repo: Path, home: Path, root: Path) -> dict[str, str]:
        extra: dict[str, str] = {}
        for one in setups:
            extra.update(one(repo, home, root))
        return extra

    return setup


def _file(relative: str, text: str = "") -> Setup:
    def setup(repo: Path, home: Path, root: Path) -> dict[str, str]:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return {}

    return setup


def _variable(name: str, value: str) -> Setup:
    def setup(repo: Path, home: Path, root: Path) -> dict[str, str]:
        return {name: value}

    return setup


CASES: list[tuple[str, Setup, int, str]] = [
    ("nothing", _nothing, 3, "no sandbox found"),
    ("AGENTGOV_SANDBOX=1", _declared("1"), 4, "AGENTGOV_SANDBOX=1"),
    (
        "AGENTGOV_SANDBOX=0 in a container",
        _declared("0"),
        3,
        "AGENTGOV_SANDBOX=0 says there is no sandbox",
    ),
    (
        "project settings",
        _settings("project", True),
        4,
        "Claude Code's sandbox is enabled in REPO/.claude/settings.json",
    ),
    (
        "user settings",
        _settings("user", True),
        4,
        "Claude Code's sandbox is enabled in HOME/.claude/settings.json",
    ),
    (
        "local settings disable it",
        _both(_settings("user", True), _settings("local", False)),
        3,
        "no sandbox: Claude Code's sandbox is disabled in REPO/.claude/settings.local.json",
    ),
    (
        "managed settings disable it",
        _both(_settings("project", True), _settings("managed", False)),
        3,
        "disabled in ROOT/etc/claude-code/managed-settings.json",
    ),
    ("settings false", _settings("project", False), 3, "disabled in REPO/.claude/settings.json"),
    ("docker", _file(".dockerenv"), 4, "a container (ROOT/.dockerenv)"),
    ("podman", _file("run/.containerenv"), 4, "a container (ROOT/run/.containerenv)"),
    (
        "kubernetes",
        _file("proc/1/cgroup", "0::/kubepods/besteffort/pod1\n"),
        4,
        "a container (kubepods in /proc/1/cgroup)",
    ),
    ("plain cgroup", _file("proc/1/cgroup", "0::/\n"), 3, "no sandbox found"),
    ("codespace", _variable("CODESPACES", "true"), 4, "a Codespace (CODESPACES=true)"),
    (
        "devcontainer",
        _variable("REMOTE_CONTAINERS", "true"),
        4,
        "a devcontainer (REMOTE_CONTAINERS=true)",
    ),
    ("devcontainer off", _variable("REMOTE_CONTAINERS", "false"), 3, "no sandbox found"),
]


def _env(home: Path, root: Path, extra: dict[str, str]) -> dict[str, str]:
    env = base_env(home)
    for name in ("CODESPACES", "REMOTE_CONTAINERS", "CI"):
        env.pop(name, None)
    env["AGENTGOV_SANDBOX_PROBE_ROOT"] = str(root)
    env["AGENTGOV_SYSTEM_KILL_FILE"] = str(home / "no-kill")
    env.update(extra)
    return env


def _shown(text: str, repo: Path, home: Path, root: Path) -> str:
    return text.replace(str(repo), "REPO").replace(str(home), "HOME").replace(str(root), "ROOT")


@pytest.mark.parametrize(("name", "setup", "level", "because"), CASES, ids=[c[0] for c in CASES])
def test_detection(tmp_path: Path, name: str, setup: Setup, level: int, because: str) -> None:
    repo, home, root = tmp_path / "repo", tmp_path / "home", tmp_path / "root"
    for directory in (repo, home, root):
        directory.mkdir()
    env = _env(home, root, setup(repo, home, root))
    found = detect_sandbox(repo, env, home=str(home))
    assert (found.found, because in _shown(found.because, repo, home, root)) == (level == 4, True)


@pytest.mark.parametrize(("name", "setup", "level", "because"), CASES, ids=[c[0] for c in CASES])
def test_the_hook_and_decide_agree(
    sandboxed_default: Path,
    tmp_path: Path,
    name: str,
    setup: Setup,
    level: int,
    because: str,
) -> None:
    repo = sandboxed_default
    home, root = tmp_path / "home", tmp_path / "root"
    home.mkdir()
    root.mkdir()
    env = _env(home, root, setup(repo, home, root))
    decision, reason = hook(repo, payload("pre-bash", repo, command=NETWORK), env)
    journal = repo / ".git" / "agentgov" / "journal" / "abc123.jsonl"
    record = json.loads(journal.read_text().splitlines()[-1])
    decided = subprocess.run(
        [*AGENTGOV, "decide", "--format", "json", "--", NETWORK],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert decided.returncode == 0, decided.stderr
    verdict = json.loads(decided.stdout)
    expected = "allow" if level == 4 else "ask"
    assert (decision, record["level"], record["decision"]) == (
        expected,
        level,
        expected,
    )
    assert (verdict["decision"], verdict["level"]) == (expected, level)
    if level == 3:
        assert record["detail"]["effective"] == {
            "configured": 4,
            "causes": [{"kind": "sandbox", "source": "none", "level": 3}],
        }
        shown = _shown(reason, repo, home, root)
        assert "level 4 execute-sandboxed acts as level 3 without a sandbox" in shown
        assert because in shown
    else:
        assert "detail" not in record
