"""The GitHub workflow template: pinned actions, least privilege, no template injection,
and every agentgov command it runs is one the CLI has (docs/ci.md#ci-templates)."""

from __future__ import annotations

import re
import shlex
from typing import Any

from typer.testing import CliRunner

from agentgov.cli import app
from tests.ci_template import EXPRESSION, GITHUB_TEMPLATE, GITLAB_TEMPLATE, flatten, github, step
from tests.ci_template import gitlab as gitlab_data

USES = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def all_steps() -> list[tuple[str, dict[str, Any]]]:
    return [(job, dict(s)) for job, body in github()["jobs"].items() for s in body["steps"]]


def test_every_action_is_pinned_to_a_commit_with_its_version_named() -> None:
    uses = [s["uses"] for _, s in all_steps() if "uses" in s]
    assert len(uses) == 5  # two checkouts, two set-up-pythons, upload-sarif
    for ref in uses:
        assert USES.match(ref), ref
    lines = [line for line in GITHUB_TEMPLATE.read_text().splitlines() if "uses:" in line]
    assert len(lines) == len(uses)
    for line in lines:
        assert re.search(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), line
    # One version of each action throughout: two pins of one action would drift apart.
    versions: dict[str, set[str]] = {}
    for line in lines:
        action, sha = line.split("uses:", 1)[1].split("#")[0].strip().split("@")
        versions.setdefault(action, set()).add(sha)
    assert all(len(shas) == 1 for shas in versions.values()), versions


def test_permissions_are_empty_at_the_top_and_least_per_job() -> None:
    workflow = github()
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    assert set(jobs) == {"check", "record"}
    for body in jobs.values():
        assert "permissions" in body
    assert jobs["check"]["permissions"] == {
        "contents": "read",
        "security-events": "write",
        "actions": "read",
    }
    assert jobs["record"]["permissions"] == {"contents": "write"}
    # security-events: write lets upload-sarif report; no other write but the record job's.
    writers = [
        name
        for name, body in jobs.items()
        for key, value in body["permissions"].items()
        if value == "write" and key != "security-events"
    ]
    assert writers == ["record"]


def test_no_expression_inside_any_run() -> None:
    runs = [s["run"] for _, s in all_steps() if "run" in s]
    assert len(runs) >= 10
    for script in runs:
        assert "${{" not in script, script
    # Expressions appear only where the runner evaluates them, never as shell text.
    for job, body in github()["jobs"].items():
        for s in body["steps"]:
            for key in set(s) - {"env", "with", "if", "uses", "name", "id", "continue-on-error"}:
                assert not EXPRESSION.search(str(s[key])), (job, key)


def test_triggers_and_which_job_runs_on_which() -> None:
    workflow = github()
    # ruamel reads the bare key `on` as the string "on" (YAML 1.2), as GitHub does.
    assert workflow["on"] == {"pull_request": None, "push": {"branches": ["main"]}}
    jobs = workflow["jobs"]
    assert jobs["check"]["if"] == "github.event_name == 'pull_request'"
    assert jobs["record"]["if"] == "github.event_name == 'push'"


def test_credentials_persist_only_in_the_job_that_pushes() -> None:
    checkouts = {
        job: s["with"]
        for job, s in all_steps()
        if s.get("uses", "").startswith("actions/checkout@")
    }
    assert checkouts == {
        "check": {"fetch-depth": 0, "persist-credentials": False},
        "record": {"fetch-depth": 0, "persist-credentials": True},
    }
    pushing = {job for job, s in all_steps() if "audit push" in s.get("run", "")}
    assert pushing == {"record"}


def test_the_push_job_runs_one_at_a_time_per_ref_and_is_never_cancelled() -> None:
    jobs = github()["jobs"]
    assert jobs["record"]["concurrency"] == {
        "group": "agentgov-notes-${{ github.ref }}",
        "cancel-in-progress": False,
    }
    assert jobs["check"]["concurrency"]["cancel-in-progress"] is True


def test_the_pull_request_is_judged_from_its_base_in_two_reports() -> None:
    check = step("check", "agentgov check")
    assert check["env"] == {
        "BASE_REF": "${{ github.base_ref }}",
        "HEAD_SHA": "${{ github.event.pull_request.head.sha }}",
    }
    assert check["run"] == (
        'agentgov check --base "origin/$BASE_REF" --head "$HEAD_SHA" --format github'
    )
    sarif = step("check", "agentgov check (SARIF for code scanning)")
    assert sarif["if"] == "always() && steps.install.outcome == 'success'"
    assert sarif["env"] == check["env"]
    assert shlex.split(sarif["run"]) == [
        *shlex.split(check["run"].replace(" --format github", "")),
        "--format",
        "sarif",
        "--output",
        "agentgov.sarif",
    ]
    upload = step("check", "Upload the findings to code scanning")
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"] == {"sarif_file": "agentgov.sarif", "category": "agentgov"}
    assert upload["if"].startswith("always()")


def test_pins_are_read_from_the_base_branch_in_the_pull_request_job() -> None:
    steps = [s.get("name") for s in github()["jobs"]["check"]["steps"]]
    assert steps.index("Read the pins from the base branch") < steps.index("Install agentgov")
    pins = step("check", "Read the pins from the base branch")
    assert 'from="origin/$BASE_REF"' in pins["run"]
    assert "cannot change which agentgov" in pins["run"]
    install = step("check", "Install agentgov")["run"]
    assert '"$RUNNER_TEMP/agentgov-pins"' in install
    assert ".github/agentgov" not in install  # never the pull request's own tree


def test_the_record_job_reattaches_before_it_judges_then_records_and_pushes() -> None:
    names = [s.get("name") for s in github()["jobs"]["record"]["steps"]]
    order = [
        "Fetch the audit trail",
        "Install agentgov",
        "Reattach a squash merge's records",
        "agentgov check (protected branch)",
        "Record the result on the commit",
        "Push the trail",
    ]
    assert [name for name in names if name in order] == order
    for name in ("Record the result on the commit", "Push the trail"):
        assert step("record", name)["if"] == "always() && steps.install.outcome == 'success'"
    record = step("record", "Record the result on the commit")
    assert record["env"] == {"CHECK_OUTCOME": "${{ steps.check.outcome }}"}
    assert step("record", "agentgov check (protected branch)")["id"] == "check"


def _agentgov_calls(script: str) -> list[list[str]]:
    """The agentgov command lines of a shell script (continuations joined)."""
    calls = []
    for line in script.replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True)
        if words and words[0] == "agentgov":
            calls.append(words[: words.index("||")] if "||" in words else words)
    return calls


def _known(words: list[str]) -> None:
    """The agentgov command ``words`` names exists and takes every option it is given: its
    ``--help`` (which fails for a command that does not exist) lists each one."""
    path = [word for word in words[1:] if not word.startswith("-")]
    given = {word.split("=", 1)[0] for word in words[1:] if word.startswith("--")}
    if given == {"--version"}:
        assert CliRunner().invoke(app, ["--version"]).exit_code == 0
        return
    # The subcommand path: the words before the first option that are not its values.
    command: list[str] = []
    for word in words[1:]:
        if word.startswith("-"):
            break
        command.append(word)
    assert command, words
    shown = CliRunner().invoke(app, [*command, "--help"])
    assert shown.exit_code == 0, (words, shown.output)
    options = set(re.findall(r"--[a-z][a-z-]*", shown.output))
    assert given <= options, (words, given - options)
    assert path[: len(command)] == command


def test_every_agentgov_command_the_templates_run_exists_with_its_options() -> None:
    scripts = [s["run"] for _, s in all_steps() if "run" in s]
    for name, body in gitlab_data().items():
        if isinstance(body, dict) and "script" in body:
            scripts.append("\n".join(flatten(body["script"])))
        elif isinstance(body, list) and name.startswith("."):
            scripts.append("\n".join(flatten(body)))
    calls = [call for script in scripts for call in _agentgov_calls(script)]
    named = {" ".join(call[1:3]) for call in calls}
    assert {"check --base", "ci record", "audit reattach", "audit push", "--version"} <= named
    for call in calls:
        _known(call)
    assert GITLAB_TEMPLATE.exists()
