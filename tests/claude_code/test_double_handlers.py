"""Installed both at user scope and in the project, agentgov's hook runs twice per event:
Claude Code runs every matching handler in parallel, with the same stdin. Each handler
answers (the same answer), and the journal holds each event once, on an intact chain.

The handlers are the commands the two installs write into the two ``settings.json`` files,
run as Claude Code runs them (``sh -c <command>`` with ``CLAUDE_PROJECT_DIR`` set)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.claude_code.test_hook import payload
from tests.conftest import git

BIN = Path(sys.executable).parent


def environment(home: Path, project: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AGENTGOV_", "GIT_")) and key not in {"CI", "CLAUDECODE"}
    }
    env.update(
        HOME=str(home),
        CLAUDE_PROJECT_DIR=str(project),
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        GIT_CONFIG_NOSYSTEM="1",
    )
    return env


def agentgov(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "agentgov"), *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def handlers(settings: Path, event: str) -> list[str]:
    data = json.loads(settings.read_text())
    return [
        handler["command"]
        for group in data["hooks"].get(event, [])
        for handler in group["hooks"]
        if "agentgov" in handler["command"]
    ]


@pytest.fixture
def both_installed(repo: Path, tmp_path: Path) -> tuple[Path, dict[str, str], dict[str, list[str]]]:
    """A governed repository with the hook installed twice: user scope and project."""
    home = tmp_path / "home"
    home.mkdir()
    env = environment(home, repo)
    assert agentgov(repo, env, "init").returncode == 0
    git(repo, "add", ".agentgov")
    git(repo, "commit", "-q", "-m", "policy")
    for scope in ([], ["--user"]):
        done = agentgov(repo, env, "install", "claude-code", *scope)
        assert done.returncode == 0, done.stderr
    commands: dict[str, list[str]] = {}
    for settings in (home / ".claude" / "settings.json", repo / ".claude" / "settings.json"):
        for event in ("PreToolUse", "PostToolUse", "UserPromptSubmit", "Stop", "SessionStart"):
            commands.setdefault(event, []).extend(handlers(settings, event))
    assert all(len(found) == 2 for found in commands.values()), commands
    return repo, env, commands


def run_in_parallel(
    commands: list[str], data: dict[str, Any], cwd: Path, env: dict[str, str]
) -> list[tuple[int, str]]:
    """Every handler at once, each fed the same bytes, as Claude Code does."""
    raw = json.dumps(data).encode()
    procs = [
        subprocess.Popen(
            ["sh", "-c", command],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env=env,
        )
        for command in commands
    ]
    answers = []
    for proc in procs:
        out, _ = proc.communicate(raw, timeout=120)
        answers.append((proc.returncode, out.decode()))
    return answers


SESSION = [
    ("session-start", {}),
    ("user-prompt-submit", {}),
    ("pre-bash", {"command": "git status", "tool_use_id": "toolu_status"}),
    ("pre-bash", {"command": "git push --force origin main", "tool_use_id": "toolu_force"}),
    ("pre-bash", {"command": "git reset --hard", "tool_use_id": "toolu_reset"}),
    ("post-bash", {"tool_use_id": "toolu_reset"}),
    ("stop", {}),
]
EXPECTED = [
    ("session", "start", None),
    ("turn", "prompt", None),
    ("decision", "git status", "allow"),
    ("decision", "git push --force origin main", "deny"),
    ("decision", "git reset --hard", "ask"),
    ("outcome", "toolu_reset", None),
    ("turn", "stop", None),
]


def test_two_handlers_answer_alike_and_journal_each_event_once(
    both_installed: tuple[Path, dict[str, str], dict[str, list[str]]],
) -> None:
    repo, env, commands = both_installed
    for name, changes in SESSION:
        data = payload(name, repo, **changes)
        answers = run_in_parallel(commands[data["hook_event_name"]], data, repo, env)
        assert answers[0] == answers[1], name
        assert answers[0][0] == 0, name

    done = agentgov(repo, env, "log", "--format", "json")
    assert done.returncode == 0, done.stderr
    records = [entry["record"] for entry in json.loads(done.stdout)["records"]]
    shown = [
        (
            r["kind"],
            r.get("event") or r.get("input") or r.get("tool_use_id"),
            r.get("decision"),
        )
        for r in sorted(records, key=lambda r: r["seq"])
    ]
    assert shown == EXPECTED
    assert [r["seq"] for r in sorted(records, key=lambda r: r["seq"])] == list(range(7))
    verified = agentgov(repo, env, "audit", "verify", "--pending")
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_the_same_call_run_eight_times_at_once_is_one_record(
    both_installed: tuple[Path, dict[str, str], dict[str, list[str]]],
) -> None:
    repo, env, _ = both_installed
    data = payload("pre-bash", repo, command="git push --force origin main")
    hook = f"{BIN / 'agentgov'} hook claude-code"
    answers = run_in_parallel([hook] * 8, data, repo, env)
    assert len(set(answers)) == 1
    assert json.loads(answers[0][1])["hookSpecificOutput"]["permissionDecision"] == "deny"
    lines = (repo / ".git" / "agentgov" / "journal" / "abc123.jsonl").read_text().splitlines()
    assert [json.loads(line)["tool_use_id"] for line in lines] == ["toolu_01ABC123"]
