"""Builders of synthetic histories for evidence: real clones of a real bare remote with
agentgov's git hooks and the default policy, agent tool calls replayed through
``agentgov hook claude-code`` with real Claude Code payloads, commits made with or without
the agent session's environment, real ``git revert``, squash merges and reattach, and the
review and CI records written through the commands themselves."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from agentgov.audit.records import read_trail
from agentgov.evidence.commit_evidence import CommitEvidence, commit_evidence
from agentgov.policy.in_force import policy_in_force
from tests.claude_code.test_hook import payload
from tests.git_hooks.conftest import AGENTGOV, Clone, make_clone

REF = "refs/notes/agentgov"
CLAUDE = "Co-Authored-By: Claude Opus 4.1 <noreply@anthropic.com>"
IN_SESSION = {"CLAUDECODE": "1", "CLAUDE_CODE_ENTRYPOINT": "cli"}


@dataclass(frozen=True)
class Repo:
    """A governed clone and the steps that build its history."""

    clone: Clone

    @property
    def path(self) -> Path:
        return self.clone.path

    def hook(self, name: str, **changes: Any) -> dict[str, Any]:
        data = payload(name, self.path, **changes)
        done = self.clone.run_command(
            [str(AGENTGOV), "hook", "claude-code"], input=json.dumps(data)
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else {}

    def edit(self, path: str, number: int, text: str = "changed\n") -> str:
        """The agent edits ``path`` (Edit tool, through the hook) and the file changes."""
        answer = self.hook(
            "pre-edit",
            tool_use_id=f"toolu_edit_{number:03d}",
            tool_input={
                "file_path": str(self.path / path),
                "old_string": "",
                "new_string": text,
                "replace_all": False,
            },
        )
        target = self.path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        decision: str = answer["hookSpecificOutput"]["permissionDecision"]
        return decision

    def bash(self, command: str, number: int) -> str:
        answer = self.hook("pre-bash", command=command, tool_use_id=f"toolu_bash_{number:03d}")
        decision: str = answer["hookSpecificOutput"]["permissionDecision"]
        return decision

    def commit(
        self,
        message: str,
        *paths: str,
        env: dict[str, str] | None = None,
        text: str | None = None,
    ) -> str:
        """Commit ``paths`` (written with ``text`` unless the agent already edited them)."""
        for name in paths:
            target = self.path / name
            if text is not None or not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text if text is not None else f"{message}\n")
            self.clone.git("add", "--", name)
        self.clone.git("commit", "-q", "--allow-empty", "-m", message, env=env)
        return self.clone.head()

    def agentgov(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return self.clone.run_command([str(AGENTGOV), *args], env=env)

    def evidence(self, at: str = "main") -> CommitEvidence:
        policy = policy_in_force(self.path).policy
        records = read_trail(self.path, REF).records
        return commit_evidence(self.path, policy, records, at)

    def note(self, commit: str) -> list[dict[str, Any]]:
        text = self.clone.git("notes", "--ref", REF, "show", commit)
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def governed(tmp_path: Path, name: str = "work", remote: Path | None = None) -> Repo:
    """A clone of a bare remote with agentgov's git hooks and the default policy on main;
    with ``remote``, another clone of that remote (whose main has the policy already)."""
    from agentgov.adapters.git_hooks.install import install_git

    clone = make_clone(tmp_path, name, remote)
    install_git(clone.path, agentgov_bin=AGENTGOV)
    if remote is not None:
        return Repo(clone)
    done = clone.run_command([str(AGENTGOV), "init"])
    assert done.returncode == 0, done.stderr
    clone.git("add", ".agentgov")
    clone.git("commit", "-q", "-m", "policy")
    clone.git("push", "-q", "origin", "main")
    return Repo(clone)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return governed(tmp_path)
