"""Incidents: recorded through ``agentgov incident record`` into the note of the commit they
name (else HEAD), the class reset at once on this clone as the policy's incident trigger
says (the real hook and ``decide`` agree), listed, resolved by a person only, and the
trail still verifying."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from agentgov.adapters.effective_level import effective_level
from agentgov.adapters.incident_state import OpenIncident
from agentgov.policy.load import load_bytes, template_bytes
from agentgov.policy.model import Level
from tests.claude_code.test_hook import payload
from tests.evidence.conftest import Repo
from tests.git_hooks.conftest import base_env
from tests.test_kill_switch import hook

AGENTGOV = [sys.executable, "-m", "agentgov"]
IN_SESSION = {"CLAUDECODE": "1", "CLAUDE_CODE_ENTRYPOINT": "cli"}
_CHAIN = ("v", "session", "seq", "prev", "ts")


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = base_env(home)
    env.pop("CI", None)
    env["AGENTGOV_SANDBOX"] = "0"
    env["AGENTGOV_SYSTEM_KILL_FILE"] = str(home / "no-kill")
    env.update(extra)
    return env


def agentgov(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*AGENTGOV, *args], cwd=repo, env=env, capture_output=True, text=True, check=False
    )


def hook_edit(repo: Path, env: dict[str, str], number: int) -> tuple[str, str, dict[str, Any]]:
    data = payload(
        "pre-edit",
        repo,
        tool_use_id=f"toolu_incident_{number:03d}",
        tool_input={
            "file_path": str(repo / "src" / "app.py"),
            "old_string": "x = 1",
            "new_string": "x = 2",
            "replace_all": False,
        },
    )
    decision, reason = hook(repo, data, env)
    journal = repo / ".git" / "agentgov" / "journal" / "abc123.jsonl"
    record = json.loads(journal.read_text().splitlines()[-1])
    return decision, reason, record


def decided(repo: Path, env: dict[str, str]) -> tuple[str, int]:
    done = agentgov(repo, env, "decide", "--format", "json", "--", "touch src/new.py")
    assert done.returncode == 0, done.stderr
    verdict = json.loads(done.stdout)
    return verdict["decision"], verdict["level"]


def notes(repo: Repo, commit: str = "HEAD") -> list[dict[str, Any]]:
    return repo.note(repo.clone.git("rev-parse", commit).strip())


def _plain(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if key not in _CHAIN}


def test_an_incident_resets_its_class_at_once_until_resolved(repo: Repo, tmp_path: Path) -> None:
    governed = repo.path
    env = _env(tmp_path)
    assert hook_edit(governed, env, 1)[0] == "allow"
    assert decided(governed, env) == ("allow", 3)

    done = agentgov(
        governed,
        env,
        "incident",
        "record",
        "--task-class",
        "default",
        "--severity",
        "production",
        "--note",
        "checkout   broke",
    )
    assert done.returncode == 0, done.stderr
    [opened] = [r for r in notes(repo) if r["kind"] == "incident"]
    ident = opened["detail"]["id"]
    assert _plain(opened) == {
        "kind": "incident",
        "source": "cli",
        "task_class": "default",
        "detail": {
            "id": ident,
            "event": "open",
            "severity": "production",
            "note": "checkout broke",
            "reporter": "author@example.com",
        },
    }
    assert opened["session"].startswith("cli-")
    assert "default: level 3 execute-gated -> acts at level 2 propose" in done.stdout

    decision, reason, record = hook_edit(governed, env, 2)
    assert (decision, record["level"], record["decision"]) == ("ask", 2, "ask")
    assert (
        f"open incident {ident} (production: checkout broke) resets default to level 2 "
        "propose (rollback trigger incident: production)"
    ) in reason
    assert record["detail"]["effective"] == {
        "configured": 3,
        "causes": [{"kind": "incident", "source": ident, "level": 2}],
    }
    assert decided(governed, env) == ("ask", 2)

    listed = agentgov(governed, env, "incident", "list", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    [shown] = json.loads(listed.stdout)["incidents"]
    assert {k: shown[k] for k in ("id", "task_class", "severity", "open", "commit")} == {
        "id": ident,
        "task_class": "default",
        "severity": "production",
        "open": True,
        "commit": None,
    }

    refused = agentgov(governed, _env(tmp_path, **IN_SESSION), "incident", "resolve", ident)
    assert refused.returncode == 1
    assert "this is an agent session (CLAUDECODE is set)" in refused.stderr
    assert hook_edit(governed, env, 3)[0] == "ask"

    resolved = agentgov(governed, env, "incident", "resolve", ident, "--note", "rolled back")
    assert resolved.returncode == 0, resolved.stderr
    assert hook_edit(governed, env, 4)[0] == "allow"
    assert decided(governed, env) == ("allow", 3)
    incidents = [_plain(r) for r in notes(repo) if r["kind"] == "incident"]
    assert incidents[1] == {
        "kind": "incident",
        "source": "cli",
        "task_class": "default",
        "detail": {
            "id": ident,
            "event": "resolve",
            "severity": "production",
            "note": "rolled back",
            "reporter": "author@example.com",
        },
    }
    listed = agentgov(governed, env, "incident", "list")
    assert listed.stdout.startswith(f"{ident}  resolved ")
    verify = agentgov(governed, env, "audit", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_an_incident_names_its_commit_and_sits_in_its_note(repo: Repo, tmp_path: Path) -> None:
    governed = repo.path
    env = _env(tmp_path)
    named = repo.clone.head()
    repo.commit("later", "later.txt")
    done = agentgov(
        governed,
        env,
        "incident",
        "record",
        "--task-class",
        "tests",
        "--commit",
        named[:10],
        "--severity",
        "security",
        "--note",
        "leaked a token",
    )
    assert done.returncode == 0, done.stderr
    [record] = [r for r in notes(repo, named) if r["kind"] == "incident"]
    assert (record["commit"], record["task_class"], record["detail"]["severity"]) == (
        named,
        "tests",
        "security",
    )
    # The default policy's incident trigger is for production: tests keeps its level.
    assert "tests: level 3 execute-gated -> acts at level 3 execute-gated" in done.stdout
    listed = json.loads(agentgov(governed, env, "incident", "list", "--format", "json").stdout)
    assert listed["incidents"][0]["commit"] == named


def test_an_agent_may_record_an_incident(repo: Repo, tmp_path: Path) -> None:
    done = agentgov(
        repo.path,
        _env(tmp_path, **IN_SESSION),
        "incident",
        "record",
        "--task-class",
        "default",
        "--severity",
        "production",
        "--note",
        "I broke the checkout",
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["record", "--task-class", "nope", "--severity", "production", "--note", "x"],
            "--task-class nope: not a class of the policy in force (default, docs, infra, tests)",
        ),
        (
            ["record", "--task-class", "default", "--severity", "two words", "--note", "x"],
            "--severity 'two words': one word",
        ),
        (
            ["record", "--task-class", "default", "--severity", "production", "--note", "  "],
            "--note: say what happened",
        ),
        (["resolve", "0a1b2c3d"], "no incident 0a1b2c3d in the audit trail"),
        (["resolve", "nonsense"], "'nonsense' is not an incident id"),
    ],
)
def test_bad_input_says_what_to_fix(
    repo: Repo, tmp_path: Path, args: list[str], message: str
) -> None:
    done = agentgov(repo.path, _env(tmp_path), "incident", *args)
    assert done.returncode == 2
    assert message in done.stderr


DEFAULT = template_bytes("default").decode()
PRODUCTION_TRIGGER = (
    "{incident: production, action: {reset_to: propose}, classes: [default, docs, tests]}"
)


@pytest.mark.parametrize(
    ("trigger", "severity", "task_class", "level", "causes"),
    [
        (PRODUCTION_TRIGGER, "production", "default", Level.PROPOSE, ("incident",)),
        (PRODUCTION_TRIGGER, "PRODUCTION", "default", Level.PROPOSE, ("incident",)),
        (PRODUCTION_TRIGGER, "security", "default", Level.EXECUTE_GATED, ()),
        (PRODUCTION_TRIGGER, "production", "infra", Level.PROPOSE, ()),  # not in its classes
        (
            "{incident: '*', action: {reset_to: suggest}}",
            "low",
            "infra",
            Level.SUGGEST,
            ("incident",),
        ),
        ("{incident: any, action: {demote_by: 1}}", "low", "tests", Level.PROPOSE, ("incident",)),
        (
            "{incident: security, action: {demote_to: suggest}}",
            "security",
            "docs",
            Level.SUGGEST,
            ("incident",),
        ),
        (
            "{incident: security, action: {demote_to: suggest}}",
            "production",
            "docs",
            Level.EXECUTE_GATED,
            ("sandbox",),
        ),
    ],
)
def test_how_a_trigger_matches_an_incident(
    trigger: str, severity: str, task_class: str, level: Level, causes: tuple[str, ...]
) -> None:
    policy = load_bytes(DEFAULT.replace(PRODUCTION_TRIGGER, trigger).encode(), "policy.yaml")
    incident = OpenIncident("0a1b2c3d", task_class, severity, "note")
    found = effective_level(
        policy,
        task_class,
        policy.task_class(task_class).level,
        None,
        {
            "AGENTGOV_SANDBOX": "0",
            "HOME": "/nonexistent",
            "AGENTGOV_SYSTEM_KILL_FILE": "/nonexistent",
        },
        incidents=[incident],
    )
    assert (found.level, tuple(cause.kind for cause in found.causes)) == (level, causes)
