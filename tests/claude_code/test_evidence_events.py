"""The hook events that are evidence: ``PermissionDenied`` (Auto Mode's classifier denied a
call), ``SubagentStart`` and ``SubagentStop``, recorded from real payloads through the
hook as a fresh process; and installed, re-installed over an older install that lacks
them, and uninstalled."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.claude_code.test_hook import governed, journal, payload, run_hook
from tests.claude_code.test_install import agentgov, settings

__all__ = ["governed"]

NEW_EVENTS = ("PermissionDenied", "SubagentStart", "SubagentStop")
_CHAIN = ("v", "session", "seq", "prev", "ts")
AUDIT = [sys.executable, "-m", "agentgov", "audit"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "permission-denied",
            {
                "source": "claude-code",
                "kind": "permission",
                "event": "denied",
                "tool": "Bash",
                "tool_use_id": "toolu_01DENIED",
                "reason": "Auto mode denied: command targets a path outside the project",
            },
        ),
        (
            "subagent-start",
            {
                "source": "claude-code",
                "kind": "session",
                "event": "subagent-start",
                "detail": {"agent_id": "agent-abc123", "agent_type": "Explore"},
            },
        ),
        (
            "subagent-stop",
            {
                "source": "claude-code",
                "kind": "session",
                "event": "subagent-stop",
                "detail": {"agent_id": "agent-abc123", "agent_type": "Explore"},
            },
        ),
    ],
)
def test_each_event_is_recorded_once(governed: Path, name: str, expected: dict[str, Any]) -> None:
    data = payload(name, governed)
    for _ in range(2):  # a second handler of the same event records nothing more
        done = run_hook(governed, data)
        assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    records = journal(governed)
    assert [{k: v for k, v in r.items() if k not in _CHAIN} for r in records] == [expected]
    flushed = subprocess.run([*AUDIT, "flush"], cwd=governed, capture_output=True, check=False)
    assert flushed.returncode == 0, flushed.stderr
    verified = subprocess.run([*AUDIT, "verify"], cwd=governed, capture_output=True, check=False)
    assert verified.returncode == 0, verified.stdout


def test_a_denial_without_a_reason_is_recorded_without_one(governed: Path) -> None:
    done = run_hook(governed, payload("permission-denied", governed, reason=None))
    assert done.returncode == 0, done.stderr
    assert "reason" not in journal(governed)[-1]


def _ours(groups: list[dict[str, Any]]) -> int:
    return sum(
        1
        for group in groups
        for handler in group["hooks"]
        if "agentgov" in handler.get("command", "")
    )


def test_install_adds_the_events_an_older_install_lacks(repo: Path) -> None:
    done = agentgov(repo, "install", "claude-code")
    assert done.returncode == 0, done.stderr
    path = repo / ".claude" / "settings.json"
    data = settings(repo)
    hooks = data["hooks"]
    assert isinstance(hooks, dict)
    assert {event: _ours(hooks[event]) for event in NEW_EVENTS} == dict.fromkeys(NEW_EVENTS, 1)
    assert hooks["PermissionDenied"][0]["matcher"] == "*"
    assert "matcher" not in hooks["SubagentStart"][0]
    older = {key: value for key, value in hooks.items() if key not in NEW_EVENTS}
    path.write_text(json.dumps({**data, "hooks": older}, indent=2) + "\n")
    again = agentgov(repo, "install", "claude-code")
    assert again.returncode == 0, again.stderr
    renewed = settings(repo)["hooks"]
    assert isinstance(renewed, dict)
    assert renewed == hooks
    removed = agentgov(repo, "uninstall", "claude-code")
    assert removed.returncode == 0, removed.stderr
    left = json.loads(path.read_text()) if path.exists() else {}
    assert all(_ours(groups) == 0 for groups in left.get("hooks", {}).values())
