"""The trail's metrics from records written by the real hook: asks approved or left
unanswered, asks sent as denies, denies, turns with interrupt and rejection markers in a
real transcript file; `agentgov metrics --format json` read back as a whole process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from tests.claude_code.test_hook import payload, run_hook
from tests.conftest import git

AGENTGOV = [sys.executable, "-m", "agentgov"]
ASKS = "git reset --hard HEAD~1"
DENIED = "git push --force origin main"


def agentgov(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") and k != "CI"}
    return subprocess.run(
        [*AGENTGOV, *args], cwd=repo, capture_output=True, text=True, env=env, check=False
    )


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def user_entry(content: Any) -> str:
    return json.dumps(
        {"type": "user", "timestamp": now_iso(), "message": {"role": "user", "content": content}}
    )


REJECTED_TOOL = [
    {
        "type": "tool_result",
        "tool_use_id": "toolu_B",
        "is_error": True,
        "content": "The user doesn't want to proceed with this tool use. The tool use was "
        "rejected (eg. if it was a file edit, the new_string was NOT written to the file).",
    }
]
INTERRUPTED = [{"type": "text", "text": "[Request interrupted by user for tool use]"}]


def pre(repo: Path, tool_use_id: str, command: str, **changes: Any) -> str:
    done = run_hook(
        repo, payload("pre-bash", repo, command=command, tool_use_id=tool_use_id, **changes)
    )
    assert done.returncode == 0, done.stderr
    decision: str = json.loads(done.stdout)["hookSpecificOutput"]["permissionDecision"]
    return decision


def event(repo: Path, name: str, **changes: Any) -> None:
    done = run_hook(repo, payload(name, repo, **changes))
    assert done.returncode == 0, done.stderr


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """Two turns of session abc123 and one no-human session, then a commit to measure at."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Test Author")
    git(repo, "config", "user.email", "author@example.com")
    (repo / "README.md").write_text("hello\n")
    git(repo, "add", "README.md")
    git(repo, "commit", "-q", "-m", "initial")
    assert agentgov(repo, "init").returncode == 0
    git(repo, "add", ".agentgov")
    git(repo, "commit", "-q", "-m", "policy")
    transcript = repo / "transcript.jsonl"
    transcript.write_text("")
    event(repo, "user-prompt-submit")
    assert pre(repo, "toolu_A", ASKS) == "ask"
    event(repo, "post-bash", tool_use_id="toolu_A")  # approved: it ran
    assert pre(repo, "toolu_B", ASKS) == "ask"  # rejected: no outcome before Stop
    assert pre(repo, "toolu_C", DENIED) == "deny"
    assert pre(repo, "toolu_D", "npm test") == "allow"
    event(repo, "post-bash", tool_use_id="toolu_D")
    # the rejection is followed by the interrupt marker: one intervention
    transcript.write_text(user_entry(REJECTED_TOOL) + "\n" + user_entry(INTERRUPTED) + "\n")
    event(repo, "stop")
    time.sleep(0.05)
    event(repo, "user-prompt-submit", prompt_id="second")
    assert pre(repo, "toolu_E", "npm test") == "allow"
    event(repo, "post-bash", tool_use_id="toolu_E")
    event(repo, "stop", prompt_id="second")
    # no human can answer in bypassPermissions: the ask is sent as a deny, not counted
    sent = pre(repo, "toolu_F", ASKS, session_id="nohuman", permission_mode="bypassPermissions")
    assert sent == "deny"
    time.sleep(1.1)  # committer times are whole seconds: the window must hold every record
    git(repo, "commit", "-q", "--allow-empty", "-m", "measure here")
    return repo


EXPECTED = {
    "approval_rate": (0.5, 1, 2),
    "intervention_rate": (0.5, 1, 2),
    "deny_rate": (0.1667, 1, 6),
    "defect_escape_rate": (None, 0, 0),
    "audit_disagreement_rate": (None, 0, 0),
    "ci_failure_rate": (None, 0, 0),
}


@pytest.mark.parametrize("flushed", [False, True], ids=["pending", "in-notes"])
def test_trail_metrics_exactly(history: Path, flushed: bool) -> None:
    if flushed:
        assert agentgov(history, "audit", "flush").returncode == 0
        git(history, "commit", "-q", "--allow-empty", "-m", "after the flush")
    done = agentgov(history, "metrics", "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["v"] == 1
    assert report["at"] == git(history, "rev-parse", "HEAD").strip()
    metrics = report["task_classes"]["default"]["metrics"]
    got = {
        name: (m["value"], m["numerator"], m["denominator"])
        for name, m in metrics.items()
        if name != "turn_duration"
    }
    # flushed, the records sit on "measure here", which their tool calls make an agent commit
    assert got == {**EXPECTED, "defect_escape_rate": (0.0, 0, 1) if flushed else (None, 0, 0)}
    pending = {name: m["pending"] for name, m in metrics.items()}
    expected_pending = {
        "approval_rate": 2,
        "intervention_rate": 2,
        "deny_rate": 6,
        "turn_duration": 1,
    }
    assert pending == {name: 0 if flushed else expected_pending.get(name, 0) for name in metrics}
    duration = metrics["turn_duration"]
    # only the uninterrupted turn: an interrupted one ends at the next prompt
    assert (duration["numerator"], duration["denominator"], duration["unit"]) == (None, 1, "ms")
    assert duration["value"] == duration["p50"] == duration["p90"] == duration["p99.9"]


def test_the_window_ends_at_the_commit_measured_at(history: Path) -> None:
    first = git(history, "rev-list", "--max-parents=0", "HEAD").strip()
    done = agentgov(history, "metrics", "--format", "json", "--at", first)
    assert done.returncode == 0, done.stderr
    metrics = json.loads(done.stdout)["task_classes"]["default"]["metrics"]
    assert {name: m["denominator"] for name, m in metrics.items()} == dict.fromkeys(metrics, 0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--window", "2 weeks"), "--window '2 weeks': give a length like 14d, 6w or 48h"),
        (("--at", "no-such-ref"), "--at no-such-ref: not a commit here"),
        (("--task-class", "nope"), "--task-class nope: not a class of the policy"),
    ],
)
def test_bad_options_are_usage_errors(history: Path, args: tuple[str, ...], message: str) -> None:
    done = agentgov(history, "metrics", *args)
    assert done.returncode == 2
    assert message in done.stderr
