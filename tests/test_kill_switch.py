"""The kill switch from every source, through the real hook (a fresh process, real Claude
Code payloads) and the real ``agentgov kill`` command; the policy working copy edited byte
for byte; release refused to an agent however it is launched."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from agentgov.adapters.kill_policy_edit import set_kill_switch
from agentgov.adapters.kill_switch import SYSTEM_KILL_FILE, system_kill_paths, user_kill_paths
from agentgov.policy.load import template_bytes
from tests.claude_code.test_hook import governed, payload
from tests.conftest import git
from tests.git_hooks.conftest import base_env

__all__ = ["governed"]

AGENTGOV = [sys.executable, "-m", "agentgov"]
IN_SESSION = {"CLAUDECODE": "1", "CLAUDE_CODE_ENTRYPOINT": "cli"}


def environment(home: Path, **extra: str) -> dict[str, str]:
    """A person's environment: HOME in tmp_path, no agentgov or agent variables, the system
    kill file moved into tmp_path (``/etc/agentgov/kill`` is checked too, and absent)."""
    env = base_env(home)
    env.pop("XDG_CONFIG_HOME", None)
    env["AGENTGOV_SYSTEM_KILL_FILE"] = str(home / "etc-agentgov-kill")
    env["AGENTGOV_SANDBOX"] = "0"
    env.update(extra)
    return env


def hook(repo: Path, data: dict[str, Any], env: dict[str, str]) -> tuple[str, str]:
    done = subprocess.run(
        [*AGENTGOV, "hook", "claude-code"],
        input=json.dumps(data),
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    output = json.loads(done.stdout)["hookSpecificOutput"]
    return output["permissionDecision"], output["permissionDecisionReason"]


def agentgov(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*AGENTGOV, *args], cwd=repo, env=env, capture_output=True, text=True, check=False
    )


def edit(repo: Path) -> dict[str, Any]:
    """The agent's Edit of src/app.py (task class default, level 3: allowed)."""
    return payload(
        "pre-edit",
        repo,
        tool_input={
            "file_path": str(repo / "src" / "app.py"),
            "old_string": "x = 1",
            "new_string": "x = 2",
            "replace_all": False,
        },
    )


def _clone_file(repo: Path, home: Path) -> tuple[dict[str, str], Callable[[], None]]:
    env = environment(home)
    done = agentgov(repo, env, "kill", "--reason", "prod outage 4711")
    assert done.returncode == 0, done.stderr
    return env, lambda: _release(repo, env)


def _release(repo: Path, env: dict[str, str]) -> None:
    done = agentgov(repo, env, "kill", "--release")
    assert done.returncode == 0, done.stderr


def _user_file(repo: Path, home: Path) -> tuple[dict[str, str], Callable[[], None]]:
    path = home / ".config" / "agentgov" / "kill"
    path.parent.mkdir(parents=True)
    path.write_text("prod outage 4711\n")
    return environment(home), path.unlink


def _xdg_file(repo: Path, home: Path) -> tuple[dict[str, str], Callable[[], None]]:
    path = home / "xdg" / "agentgov" / "kill"
    path.parent.mkdir(parents=True)
    path.write_text("prod outage 4711")
    return environment(home, XDG_CONFIG_HOME=str(home / "xdg")), path.unlink


def _system_file(repo: Path, home: Path) -> tuple[dict[str, str], Callable[[], None]]:
    path = home / "etc-agentgov-kill"
    path.write_text("prod outage 4711\n")
    return environment(home), path.unlink


def _environment(repo: Path, home: Path) -> tuple[dict[str, str], Callable[[], None]]:
    env = environment(home, AGENTGOV_KILL="1")

    def undo() -> None:
        del env["AGENTGOV_KILL"]

    return env, undo


def _policy(repo: Path, home: Path) -> tuple[dict[str, str], Callable[[], None]]:
    env, release = _clone_file(repo, home)
    git(repo, "commit", "-qam", "engage the kill switch")
    (repo / ".git" / "agentgov" / "kill").unlink()  # only the merged policy engages it now

    def undo() -> None:
        release()
        git(repo, "commit", "-qam", "release the kill switch")

    return env, undo


@pytest.mark.parametrize(
    ("engage", "because", "release"),
    [
        (
            _clone_file,
            "kill switch engaged by `agentgov kill` on this clone (prod outage 4711)",
            "a person runs `agentgov kill --release` in their own terminal",
        ),
        (
            _policy,
            "kill switch engaged by the policy in force (kill_switch.engaged: true) "
            "(prod outage 4711)",
            "a person runs `agentgov kill --release` and merges the policy change",
        ),
        (
            _environment,
            "kill switch engaged by AGENTGOV_KILL in the environment (no reason given)",
            "a person unsets AGENTGOV_KILL where Claude Code (or git) is started",
        ),
        (
            _user_file,
            "kill switch engaged by HOME/.config/agentgov/kill (prod outage 4711)",
            "a person removes HOME/.config/agentgov/kill",
        ),
        (
            _xdg_file,
            "kill switch engaged by HOME/xdg/agentgov/kill (prod outage 4711)",
            "a person removes HOME/xdg/agentgov/kill",
        ),
        (
            _system_file,
            "kill switch engaged by HOME/etc-agentgov-kill (prod outage 4711)",
            "a person removes HOME/etc-agentgov-kill",
        ),
    ],
    ids=["clone", "policy", "environment", "user", "xdg", "system"],
)
def test_each_source_denies_an_edit_until_released(
    governed: Path,
    tmp_path: Path,
    engage: Callable[[Path, Path], tuple[dict[str, str], Callable[[], None]]],
    because: str,
    release: str,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    assert hook(governed, edit(governed), environment(home))[0] == "allow"
    env, undo = engage(governed, home)
    decision, reason = hook(governed, edit(governed), env)
    assert decision == "deny"
    shown = reason.replace(str(home), "HOME")
    assert shown.startswith("agentgov denied this (level 1 suggest, task class default): ")
    assert because in shown
    assert f"Only a person lifts it: {release}" in shown
    # Reads stay allowed at level 1.
    assert hook(governed, payload("pre-read", governed), env)[0] == "allow"
    undo()
    assert hook(governed, edit(governed), env)[0] == "allow"


def test_kill_edits_the_policy_working_copy_byte_for_byte(governed: Path, tmp_path: Path) -> None:
    env = environment(tmp_path)
    policy = governed / ".agentgov" / "policy.yaml"
    original = policy.read_bytes()
    done = agentgov(governed, env, "kill", "--reason", 'a "quoted" reason')
    assert done.returncode == 0, done.stderr
    assert policy.read_bytes() == original.replace(
        b"engaged: false        #", b"engaged: true        #", 1
    ).replace(b'reason: ""', b'reason: "a \\"quoted\\" reason"', 1)
    assert (governed / ".git" / "agentgov" / "kill").read_text() == 'a "quoted" reason\n'
    done = agentgov(governed, env, "kill", "--release")
    assert done.returncode == 0, done.stderr
    assert policy.read_bytes() == original
    assert not (governed / ".git" / "agentgov" / "kill").exists()


def test_a_broken_working_copy_still_engages_the_clone(governed: Path, tmp_path: Path) -> None:
    env = environment(tmp_path)
    policy = governed / ".agentgov" / "policy.yaml"
    policy.write_text("kill_switch: [not, a, mapping]\n")
    done = agentgov(governed, env, "kill", "--reason", "stop")
    assert done.returncode == 2
    assert "kill switch engaged on this clone" in done.stderr
    assert "kill_switch must be a mapping (engaged, reason); fix it first" in done.stderr
    assert policy.read_text() == "kill_switch: [not, a, mapping]\n"
    assert hook(governed, edit(governed), env)[0] == "deny"


def test_kill_and_release_are_recorded_as_policy_records(governed: Path, tmp_path: Path) -> None:
    env = environment(tmp_path)
    agentgov(governed, env, "kill", "--reason", "stop")
    agentgov(governed, env, "kill", "--release")
    journal = governed / ".git" / "agentgov" / "journal"
    [session] = list(journal.glob("cli-*.jsonl"))
    records = [json.loads(line) for line in session.read_text().splitlines()]
    assert [(r["kind"], r["source"], r["event"], r.get("reason")) for r in records] == [
        ("policy", "cli", "kill", "stop"),
        ("policy", "cli", "release", None),
    ]
    assert records[0]["detail"] == {
        "local_file": "agentgov/kill",
        "policy_working_copy": ".agentgov/policy.yaml",
    }
    verify = agentgov(governed, env, "audit", "flush")
    assert verify.returncode == 0, verify.stderr
    verify = agentgov(governed, env, "audit", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr


DEFAULT = template_bytes("default").decode()


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "version: 1\nkill_switch:\n  engaged: false  # note\n  reason: ''\nrules: {}\n",
            "version: 1\nkill_switch:\n  engaged: true  # note\n"
            "  reason: 'it''s down'\nrules: {}\n",
        ),
        (
            "version: 1\nkill_switch: {engaged: false}\nrules: {}\n",
            'version: 1\nkill_switch: {engaged: true, reason: "it\'s down"}\nrules: {}\n',
        ),
        (
            "version: 1\nkill_switch:\n    engaged: no\nrules: {}\n",
            'version: 1\nkill_switch:\n    engaged: true\n    reason: "it\'s down"\nrules: {}\n',
        ),
        (
            "version: 1\r\n# comment\r\nrules: {}\r\n",
            "version: 1\r\n# comment\r\nrules: {}\r\nkill_switch:\r\n  engaged: true\r\n"
            '  reason: "it\'s down"\r\n',
        ),
        (
            "version: 1\nkill_switch:\nrules: {}\n",
            'version: 1\nkill_switch: {engaged: true, reason: "it\'s down"}\nrules: {}\n',
        ),
        (
            DEFAULT,
            DEFAULT.replace("engaged: false ", "engaged: true ", 1).replace(
                'reason: ""', 'reason: "it\'s down"', 1
            ),
        ),
    ],
    ids=[
        "block-single-quoted",
        "flow-without-reason",
        "block-without-reason",
        "absent-crlf",
        "null",
        "default-template",
    ],
)
def test_only_the_kill_switch_values_change(before: str, after: str) -> None:
    assert set_kill_switch(before, True, "it's   down", "policy.yaml") == after


def test_release_is_refused_inside_an_agent_session(governed: Path, tmp_path: Path) -> None:
    env = environment(tmp_path)
    agentgov(governed, env, "kill", "--reason", "stop")
    refused = agentgov(governed, {**env, **IN_SESSION}, "kill", "--release")
    assert refused.returncode == 1
    assert "this is an agent session (CLAUDECODE is set)" in refused.stderr
    assert (governed / ".git" / "agentgov" / "kill").exists()
    # Engaging is fine for an agent: it only restricts.
    again = agentgov(governed, {**env, **IN_SESSION}, "kill", "--reason", "agent saw a problem")
    assert again.returncode == 0, again.stderr


@pytest.mark.parametrize(
    ("command", "decision"),
    [
        ("agentgov kill --release", "deny"),
        ("python -m agentgov kill --release", "deny"),
        (".venv/bin/agentgov kill --reason x --release", "deny"),
        ("uv run agentgov kill --release", "deny"),
        ("env FOO=1 agentgov kill --release=yes", "deny"),
        ("sh -c 'agentgov kill --release'", "deny"),
        ("FLAG=--release; agentgov kill $FLAG", "deny"),
        ('agentgov kill "$(printf -- --release)"', "deny"),
        ("agentgov incident resolve 0a1b2c3d", "deny"),
        ("rm -f .git/agentgov/kill", "deny"),
        ("rm ~/.config/agentgov/kill", "deny"),
        ("rm -rf ~/.config", "deny"),
        ("rm /etc/agentgov/kill", "deny"),
        ("AGENTGOV_KILL=0 git commit -m x", "deny"),
        ("AGENTGOV_SYSTEM_KILL_FILE=/dev/null git commit -m x", "deny"),
        ("agentgov kill --reason 'I broke the build'", "allow"),
        ("AGENTGOV_KILL=1 git status", "allow"),
        ("cat ~/.config/agentgov/kill", "allow"),
    ],
)
def test_only_engaging_gets_through_the_hook(
    governed: Path, tmp_path: Path, command: str, decision: str
) -> None:
    answer, reason = hook(
        governed, payload("pre-bash", governed, command=command), environment(tmp_path)
    )
    assert answer == decision, reason
    if decision == "deny":
        assert "guard.tamper" in reason or "only a person" in reason.lower(), reason


def test_kill_files_can_only_be_added() -> None:
    assert system_kill_paths({"AGENTGOV_SYSTEM_KILL_FILE": "/tmp/x"}) == (
        SYSTEM_KILL_FILE,
        "/tmp/x",
    )
    assert system_kill_paths({}) == (SYSTEM_KILL_FILE,)
    paths = user_kill_paths({"XDG_CONFIG_HOME": "/x", "HOME": "/h"})
    assert paths[:2] == ("/x/agentgov/kill", "/h/.config/agentgov/kill")
    assert len(paths) == 3 or paths[-1] == "/h/.config/agentgov/kill"
