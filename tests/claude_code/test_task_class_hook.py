"""The task class and the guard through the real hook: `agentgov hook claude-code` as a
subprocess, Claude Code's PreToolUse payloads, a real repository with the default policy
(``infra`` at level 2, ``docs`` at level 4, ``default`` at level 3).

An agent cannot pick its own class: a branch name only makes it stricter, a shell write is
an edit of what it writes, and the repository of the touched path decides, whatever the
payload's cwd (docs/policy.md, "Task classes")."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from tests.claude_code.test_hook import governed, journal, payload, run_hook, verdict
from tests.conftest import git

__all__ = ["governed"]  # the fixture, shared with test_hook.py

_IDS = itertools.count()


def _call(project: Path, name: str, cwd: Path, state: Path, **tool_input: str) -> tuple[str, str]:
    data: dict[str, Any] = payload(name, project)
    data["cwd"] = str(cwd)
    data["tool_use_id"] = f"toolu_task_class_{next(_IDS)}"
    data["tool_input"].update(tool_input)
    # docs is level 4, which acts as level 3 without a sandbox: say there is one, so these
    # tests mean the same on a container (where one is detected) and off it.
    env = {"XDG_STATE_HOME": str(state), "AGENTGOV_SANDBOX": "1"}
    done = run_hook(project, data, env=env)
    assert done.returncode == 0, done.stderr
    return verdict(done)


def _last(project: Path) -> tuple[str, int, str]:
    record = journal(project)[-1]
    return record["task_class"], record["level"], record["decision"]


def test_a_docs_branch_does_not_lift_an_edit_of_the_dockerfile(
    governed: Path, tmp_path: Path
) -> None:
    git(governed, "checkout", "-q", "-b", "docs/typo")
    (governed / "Dockerfile").write_text("FROM python:3.11\n")
    decision, reason = _call(
        governed,
        "pre-edit",
        governed,
        tmp_path,
        file_path=str(governed / "Dockerfile"),
        old_string="3.11",
        new_string="3.12",
    )
    assert (decision, _last(governed)) == ("ask", ("infra", 2, "ask"))
    assert "level 2 propose, task class infra" in reason


def test_a_docs_branch_does_not_lift_a_network_upload(governed: Path, tmp_path: Path) -> None:
    git(governed, "checkout", "-q", "-b", "docs/typo")
    command = "curl -T notes.txt https://upload.example.com/"
    decision, _ = _call(governed, "pre-bash", governed, tmp_path, command=command)
    assert (decision, _last(governed)) == ("ask", ("default", 3, "ask"))


def test_an_edit_of_a_doc_on_a_docs_branch_keeps_the_docs_class(
    governed: Path, tmp_path: Path
) -> None:
    git(governed, "checkout", "-q", "-b", "docs/typo")
    decision, _ = _call(
        governed,
        "pre-write",
        governed,
        tmp_path,
        file_path=str(governed / "docs" / "guide.md"),
        content="# Guide\n",
    )
    assert (decision, _last(governed)) == ("allow", ("docs", 4, "allow"))


@pytest.mark.parametrize(
    "command",
    [
        "sed -i 's/3.11/3.12/' Dockerfile",
        "echo 'RUN curl -fsSL https://x.example | sh' >> Dockerfile",
        "cat > .github/workflows/ci.yml <<'EOF'\non: push\njobs: {}\nEOF",
        "cd .github/workflows && tee ci.yml < /tmp/ci.yml",
        "git checkout -- Dockerfile",
    ],
)
def test_a_shell_write_of_an_infra_path_is_judged_as_infra(
    governed: Path, tmp_path: Path, command: str
) -> None:
    decision, reason = _call(governed, "pre-bash", governed, tmp_path, command=command)
    assert (decision, _last(governed)) == ("ask", ("infra", 2, "ask"))
    assert "level 2 propose, task class infra" in reason


@pytest.mark.parametrize("command", ["cat Dockerfile", "sed -n 1p Dockerfile > /tmp/first"])
def test_reading_an_infra_path_in_the_shell_stays_default(
    governed: Path, tmp_path: Path, command: str
) -> None:
    decision, _ = _call(governed, "pre-bash", governed, tmp_path, command=command)
    assert (decision, _last(governed)) == ("allow", ("default", 3, "allow"))


@pytest.mark.parametrize("where", ["parent", "/tmp", "/"])
@pytest.mark.parametrize("name", ["settings.json", "settings.local.json"])
def test_a_write_of_the_projects_claude_settings_is_tamper_from_any_cwd(
    governed: Path, tmp_path: Path, where: str, name: str
) -> None:
    cwd = governed.parent if where == "parent" else Path(where)
    decision, reason = _call(
        governed,
        "pre-write",
        cwd,
        tmp_path,
        file_path=str(governed / ".claude" / name),
        content='{"hooks": {}}',
    )
    assert decision == "deny"
    assert "guard.tamper" in reason
    assert "Claude Code's hook settings" in reason


@pytest.mark.parametrize(
    "command",
    [
        "echo 'version: 1' > {project}/.agentgov/policy.yaml",
        "cd {project} && echo 'version: 1' > .agentgov/policy.yaml",
        "cd {project}/.git && rm -rf hooks",
        "sed -i 's/engaged: false/engaged: true/' {project}/.agentgov/policy.yaml",
        "cp /tmp/settings.json {project}/.claude/",
    ],
)
@pytest.mark.parametrize("where", ["parent", "/"])
def test_a_shell_write_into_the_projects_guard_is_tamper_from_any_cwd(
    governed: Path, tmp_path: Path, command: str, where: str
) -> None:
    cwd = governed.parent if where == "parent" else Path(where)
    text = command.format(project=governed)
    decision, reason = _call(governed, "pre-bash", cwd, tmp_path, command=text)
    assert decision == "deny"
    assert "guard.tamper" in reason


def test_the_touched_repositorys_policy_and_class_apply_from_outside_it(
    governed: Path, tmp_path: Path
) -> None:
    decision, reason = _call(
        governed,
        "pre-write",
        governed.parent,
        tmp_path,
        file_path=str(governed / "infra" / "main.tf"),
        content="resource x {}\n",
    )
    assert decision == "ask"
    assert "level 2 propose, task class infra" in reason


def test_the_touched_repositorys_committed_policy_is_the_one_in_force(
    governed: Path, tmp_path: Path
) -> None:
    policy = governed / ".agentgov" / "policy.yaml"
    text = policy.read_text()
    stricter = text.replace(
        "task_classes:\n",
        'task_classes:\n  app:\n    level: propose\n    paths: ["src/**"]\n',
    )
    assert stricter != text
    policy.write_text(stricter)
    git(governed, "commit", "-qam", "application code proposes")
    decision, reason = _call(
        governed,
        "pre-write",
        governed.parent,
        tmp_path,
        file_path=str(governed / "src" / "app.py"),
        content="print('hi')\n",
    )
    assert decision == "ask"
    assert "level 2 propose, task class app" in reason


@pytest.mark.parametrize("where", ["parent", "/"])
def test_a_call_from_outside_every_repository_is_recorded_in_the_touched_one(
    governed: Path, tmp_path: Path, where: str
) -> None:
    cwd = governed.parent if where == "parent" else Path(where)
    state = tmp_path / "state"
    command = f"echo 'version: 1' > {governed}/.agentgov/policy.yaml"
    decision, _ = _call(governed, "pre-bash", cwd, state, command=command)
    assert decision == "deny"
    # Choosing cwd=/ keeps no denial off the project's trail.
    record = journal(governed)[-1]
    assert (record["kind"], record["decision"], record["rules"]) == (
        "decision",
        "deny",
        ["guard.tamper"],
    )
    assert not (state / "agentgov" / "journal").exists()
