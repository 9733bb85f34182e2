"""Pull-request scenarios for `agentgov check`: a real repository whose main carries a
policy and evidence recorded by the real Claude Code hook (flushed into the notes), a PR
branch that changes the policy, and `agentgov check` run as a whole process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.claude_code.test_hook import payload, run_hook
from tests.conftest import git

AGENTGOV = [sys.executable, "-m", "agentgov"]
ASKS = "git reset --hard HEAD~1"
DENIED = "git push --force origin main"
CLAUDE = "Co-Authored-By: Claude Opus 4.1 <noreply@anthropic.com>"

POLICY = """\
version: 1
protected_branches: [main]
task_classes:
  default: {level: execute-gated}
  docs:
    level: execute-gated
    paths: ["docs/**"]
  tests:
    level: execute-sandboxed
    paths: ["tests/**"]
ladder:
  execute-sandboxed:
    - {metric: approval_rate, op: ">=", threshold: 0.5, window: 14d, min_samples: 2}
  autonomous:
    - {metric: approval_rate, op: ">=", threshold: 0.9, window: 14d, min_samples: 2}
rollback:
  - {metric: deny_rate, op: ">", threshold: 0.5, window: 14d, min_samples: 3,
     action: {demote_by: 1}}
evidence:
  incident_cooldown: 14d
"""


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a person's shell: no CI, no GitHub Actions, no agent session."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GIT_", "GITHUB_", "CI_", "CLAUDE"))
        and k not in {"CI", "AGENTGOV_TASK_CLASS", "AGENTGOV_AGENT"}
    }
    env.update(extra)
    return env


def agentgov(
    repo: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*AGENTGOV, *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env or clean_env(),
        check=False,
    )


@dataclass(frozen=True)
class Checked:
    code: int
    report: dict[str, Any]
    stderr: str

    def rules(self, severity: str | None = None) -> list[str]:
        return [
            f["rule"]
            for f in self.report["findings"]
            if severity is None or f["severity"] == severity
        ]

    def messages(self, rule: str) -> list[str]:
        return [f["message"] for f in self.report["findings"] if f["rule"] == rule]


@dataclass(frozen=True)
class Scenario:
    path: Path

    def git(self, *args: str) -> str:
        return git(self.path, *args)

    def sha(self, rev: str = "HEAD") -> str:
        return self.git("rev-parse", rev).strip()

    def write(self, name: str, text: str) -> None:
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)

    def commit(self, message: str, *paths: str) -> str:
        for name in paths:
            self.git("add", "--", name)
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.sha()

    def policy(self, text: str, message: str = "policy") -> str:
        self.write(".agentgov/policy.yaml", text)
        return self.commit(message, ".agentgov/policy.yaml")

    def asks(self, approved: int, rejected: int = 0, denied: int = 0, prefix: str = "a") -> None:
        """A turn of the agent through the real hook: asks approved (they ran), asks
        rejected (no outcome before Stop), denies; then flushed into the notes."""
        event(self.path, "user-prompt-submit", prompt_id=f"{prefix}-turn")
        for n in range(approved):
            assert pre(self.path, f"toolu_{prefix}_ok_{n}", ASKS) == "ask"
            event(self.path, "post-bash", tool_use_id=f"toolu_{prefix}_ok_{n}")
        for n in range(rejected):
            assert pre(self.path, f"toolu_{prefix}_no_{n}", ASKS) == "ask"
        for n in range(denied):
            assert pre(self.path, f"toolu_{prefix}_deny_{n}", DENIED) == "deny"
        event(self.path, "stop", prompt_id=f"{prefix}-turn")
        time.sleep(1.1)  # committer times are whole seconds: the window must hold them
        self.commit(f"work {prefix}")
        done = agentgov(self.path, "audit", "flush")
        assert done.returncode == 0, done.stderr
        self.commit(f"measure after {prefix}")

    def incident(self, severity: str, note: str, task_class: str = "default") -> None:
        """A person records an incident (`agentgov incident record`)."""
        done = agentgov(
            self.path,
            "incident",
            "record",
            "--task-class",
            task_class,
            "--severity",
            severity,
            "--note",
            note,
        )
        assert done.returncode == 0, done.stderr

    def branch(self, name: str, start: str = "main") -> None:
        self.git("checkout", "-q", "-b", name, start)

    def checkout(self, name: str) -> None:
        self.git("checkout", "-q", name)

    def check(self, *args: str, env: dict[str, str] | None = None) -> Checked:
        done = agentgov(self.path, "check", *args, "--format", "json", env=env)
        assert done.returncode in (0, 1), done.stderr
        return Checked(done.returncode, json.loads(done.stdout), done.stderr)


def pre(repo: Path, tool_use_id: str, command: str) -> str:
    done = run_hook(repo, payload("pre-bash", repo, command=command, tool_use_id=tool_use_id))
    assert done.returncode == 0, done.stderr
    decision: str = json.loads(done.stdout)["hookSpecificOutput"]["permissionDecision"]
    return decision


def event(repo: Path, name: str, **changes: Any) -> None:
    done = run_hook(repo, payload(name, repo, **changes))
    assert done.returncode == 0, done.stderr


def new_scenario(tmp_path: Path, policy: str = POLICY) -> Scenario:
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.name", "Test Author")
    git(path, "config", "user.email", "author@example.com")
    scenario = Scenario(path)
    scenario.write("README.md", "hello\n")
    scenario.write("src/app.py", "print('app')\n")
    scenario.write("docs/guide.md", "# guide\n")
    scenario.commit("initial", "README.md", "src/app.py", "docs/guide.md")
    scenario.policy(policy)
    (path / "transcript.jsonl").write_text("")
    return scenario


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    return new_scenario(tmp_path)
