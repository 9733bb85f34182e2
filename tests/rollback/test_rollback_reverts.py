"""`agentgov rollback` on a governed clone (agentgov's git hooks, the default template
committed and pushed): a run of real `git revert`s of agent commits breaches the default
policy's defect_escape_rate trigger; `--apply --push` delivers the demotion to origin
through the installed pre-push hook, changing one line of the template; once merged it is
applied; an incident resolved is no longer due."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

from tests.evidence.conftest import CLAUDE, Repo, governed

POLICY_PATH = ".agentgov/policy.yaml"


def reverted(tmp_path: Path, agent: int = 10, reverts: int = 3) -> tuple[Repo, list[str]]:
    """``agent`` agent commits on main (Claude Code's trailer), the first ``reverts`` of
    them reverted by a person with `git revert`."""
    repo = governed(tmp_path)
    shas = [repo.commit(f"agent change {n}\n\n{CLAUDE}", f"src/m{n}.py") for n in range(agent)]
    for sha in shas[:reverts]:
        repo.clone.git("revert", "--no-edit", sha)
    return repo, shas


def rollback(repo: Repo, *args: str) -> tuple[int, dict[str, Any], str]:
    done = repo.agentgov("rollback", *args, "--format", "json")
    assert "Traceback" not in done.stderr
    return done.returncode, json.loads(done.stdout) if done.stdout else {}, done.stderr


def test_a_run_of_reverts_demotes_the_class_on_a_pushed_branch(tmp_path: Path) -> None:
    repo, _ = reverted(tmp_path)
    head = repo.clone.head()
    code, report, stderr = rollback(repo)
    assert code == 1, stderr
    [demotion] = report["demotions"]
    criterion = demotion["criterion"]
    assert (demotion["task_class"], demotion["from"], demotion["to"]) == ("default", 3, 2)
    assert (criterion["metric"], criterion["numerator"], criterion["denominator"]) == (
        "defect_escape_rate",
        3,
        10,
    )
    assert criterion["value"] == 0.3

    code, made, stderr = rollback(repo, "--apply", "--push")
    assert code == 0, stderr
    branch = made["branch"]
    assert made["pushed"] is True
    assert repo.clone.remote_head(f"refs/heads/{branch}") == made["commit"]
    assert repo.clone.remote_head() == repo.clone.head("origin/main")  # main not pushed
    assert repo.clone.head() == head
    before = repo.clone.git("show", f"{head}:{POLICY_PATH}").splitlines()
    after = repo.clone.git("show", f"{branch}:{POLICY_PATH}").splitlines()
    changed = [line for line in difflib.ndiff(before, after) if line.startswith(("+ ", "- "))]
    assert changed == ["-     level: execute-gated", "+     level: propose"]
    message = repo.clone.git("log", "-1", "--format=%B", branch)
    assert message.startswith("agentgov rollback: default 3 → 2\n")
    assert (
        "  - defect_escape_rate > 0.1 over 14d (min 10 samples) → demote by 1: target 2 propose"
    ) in message
    assert "    defect_escape_rate: 0.3000 (3/10); threshold > 0.1\n" in message
    assert f"    window: {criterion['from']} to {criterion['to']}\n" in message

    # merged (and pushed like any change), the demotion is applied, and the still-breached
    # trigger does not demote again
    repo.clone.git("merge", "-q", "--ff-only", branch)
    code, after_merge, _ = rollback(repo, "--apply")
    assert code == 0
    assert [(d["from"], d["to"], d["applied"]) for d in after_merge["demotions"]] == [(2, 2, True)]
    assert after_merge["branch"] is None


def test_too_few_reverts_breach_nothing(tmp_path: Path) -> None:
    repo, _ = reverted(tmp_path, agent=10, reverts=1)  # 0.1 is not > 0.1
    code, report, _ = rollback(repo, "--apply")
    assert code == 0
    assert (report["demotions"], report["branch"]) == ([], None)


def test_a_resolved_incident_is_no_longer_due(tmp_path: Path) -> None:
    repo = governed(tmp_path)
    recorded = repo.agentgov(
        "incident", "record", "--task-class", "tests", "--severity", "production", "--note", "x"
    )
    assert recorded.returncode == 0, recorded.stderr
    code, report, _ = rollback(repo)
    assert code == 1
    [demotion] = report["demotions"]
    assert (demotion["task_class"], demotion["to"], demotion["incident"]) == (
        "tests",
        2,
        "production",
    )
    [incident] = demotion["incidents"]
    resolved = repo.agentgov("incident", "resolve", incident["id"], "--note", "fixed")
    assert resolved.returncode == 0, resolved.stderr
    code, report, _ = rollback(repo)
    assert (code, report["demotions"]) == (0, [])
