"""`agentgov install claude-code` / `uninstall`: merge, idempotence, refusal, exact removal,
and a shim that never lets a missing binary open the gate."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from agentgov.adapters.claude_code.settings import DENY_RULES, PROJECT_COMMAND

EXISTING = """{
    "model": "claude-sonnet-4-6",
    "permissions": {
        "allow": ["Bash(npm test)"],
        "deny": ["Bash(git push --force *)", "Read(./secrets/**)"]
    },
    "hooks": {
        "PreToolUse": [
            {"matcher": "Bash", "hooks": [{"type": "command", "command": "./lint-hook.sh"}]}
        ]
    }
}
"""


def agentgov(cwd: Path, *args: str, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if home is not None:
        env["HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "agentgov", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def settings(repo: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((repo / ".claude" / "settings.json").read_text())
    return data


def test_install_merges_keeps_everything_and_is_idempotent(repo: Path) -> None:
    (repo / ".claude").mkdir()
    (repo / ".claude" / "settings.json").write_text(EXISTING)
    done = agentgov(repo, "install", "claude-code")
    assert done.returncode == 0, done.stderr
    data = settings(repo)
    assert data["model"] == "claude-sonnet-4-6"
    hooks = data["hooks"]
    assert isinstance(hooks, dict)
    pre = hooks["PreToolUse"]
    assert pre[0] == {
        "matcher": "Bash",
        "hooks": [{"type": "command", "command": "./lint-hook.sh"}],
    }
    assert pre[1] == {
        "matcher": "*",
        "hooks": [{"type": "command", "command": PROJECT_COMMAND, "timeout": 30}],
    }
    assert set(hooks) == {
        "PreToolUse",
        "PostToolUse",
        "PostToolUseFailure",
        "PermissionRequest",
        "UserPromptSubmit",
        "Stop",
        "SessionStart",
        "SessionEnd",
    }
    permissions = data["permissions"]
    assert isinstance(permissions, dict)
    assert permissions["allow"] == ["Bash(npm test)"]
    assert permissions["deny"][:2] == ["Bash(git push --force *)", "Read(./secrets/**)"]
    assert set(DENY_RULES) <= set(permissions["deny"])
    assert len(permissions["deny"]) == len(set(permissions["deny"]))
    text = (repo / ".claude" / "settings.json").read_text()
    assert text.startswith('{\n    "model"')  # four-space indentation kept
    again = agentgov(repo, "install", "claude-code")
    assert "already up to date" in again.stdout
    assert (repo / ".claude" / "settings.json").read_text() == text


def test_uninstall_removes_exactly_what_was_added(repo: Path) -> None:
    (repo / ".claude").mkdir()
    path = repo / ".claude" / "settings.json"
    path.write_text(EXISTING)
    agentgov(repo, "install", "claude-code")
    done = agentgov(repo, "uninstall", "claude-code")
    assert done.returncode == 0, done.stderr
    assert json.loads(path.read_text()) == json.loads(EXISTING)
    assert not (repo / ".agentgov" / "claude-hook.sh").exists()


def test_install_into_a_fresh_repo_and_uninstall_leaves_an_empty_object(repo: Path) -> None:
    agentgov(repo, "install")
    assert (repo / ".agentgov" / "claude-hook.sh").stat().st_mode & 0o111
    agentgov(repo, "uninstall", "claude-code")
    assert json.loads((repo / ".claude" / "settings.json").read_text()) == {}


def test_invalid_json_is_refused_untouched(repo: Path) -> None:
    (repo / ".claude").mkdir()
    path = repo / ".claude" / "settings.json"
    path.write_text('{"hooks": {,}}')
    done = agentgov(repo, "install", "claude-code")
    assert done.returncode == 2
    assert "is not valid JSON" in done.stderr
    assert "agentgov did not change it" in done.stderr
    assert path.read_text() == '{"hooks": {,}}'


def test_user_install_writes_under_home(repo: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    done = agentgov(repo, "install", "claude-code", "--user", home=home)
    assert done.returncode == 0, done.stderr
    data = json.loads((home / ".claude" / "settings.json").read_text())
    command = data["hooks"]["PreToolUse"][0]["hooks"][0]["command"]
    assert str(home / ".claude" / "agentgov-hook.sh") in command
    assert not (repo / ".claude").exists()


def run_command(
    command: str, project: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run a settings.json hook command the way Claude Code does: through a shell."""
    return subprocess.run(
        ["bash", "-c", command],
        input="{}",
        cwd=project,
        capture_output=True,
        text=True,
        env={**env, "CLAUDE_PROJECT_DIR": str(project)},
        check=False,
    )


def test_missing_shim_blocks_with_exit_2(repo: Path) -> None:
    done = run_command(PROJECT_COMMAND, repo, {"PATH": os.environ["PATH"]})
    assert done.returncode == 2
    assert "agentgov hook shim missing" in done.stderr


def test_shim_without_agentgov_blocks_with_the_install_command(repo: Path) -> None:
    agentgov(repo, "install", "claude-code")
    done = run_command(PROJECT_COMMAND, repo, {"PATH": "/usr/bin:/bin"})
    assert done.returncode == 2
    assert "agentgov is not installed" in done.stderr
    assert "pip install agentgov" in done.stderr


def test_shim_finds_agentgov_and_runs_the_hook(repo: Path) -> None:
    agentgov(repo, "install", "claude-code")
    binary = Path(sys.executable).parent / "agentgov"
    event = {
        "session_id": "s1",
        "transcript_path": "",
        "cwd": str(repo),
        "permission_mode": "default",
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": "git push --force origin main"},
        "tool_use_id": "t1",
    }
    done = subprocess.run(
        ["bash", "-c", PROJECT_COMMAND],
        input=json.dumps(event),
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        env={
            "PATH": "/usr/bin:/bin",
            "CLAUDE_PROJECT_DIR": str(repo),
            "AGENTGOV_BIN": str(binary),
            "HOME": str(repo),
        },
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"


def test_shim_turns_a_crash_into_a_block(repo: Path, tmp_path: Path) -> None:
    agentgov(repo, "install", "claude-code")
    crasher = tmp_path / "agentgov"
    crasher.write_text("#!/bin/sh\nkill -SEGV $$\n")
    crasher.chmod(0o755)
    done = subprocess.run(
        ["bash", "-c", PROJECT_COMMAND],
        input="{}",
        cwd=repo,
        capture_output=True,
        text=True,
        env={
            "PATH": "/usr/bin:/bin",
            "CLAUDE_PROJECT_DIR": str(repo),
            "AGENTGOV_BIN": str(crasher),
        },
        check=False,
    )
    assert done.returncode == 2
    assert "stopped abnormally" in done.stderr
