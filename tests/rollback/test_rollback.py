"""`agentgov rollback` on real repositories: a breached trigger (denies through the real
hook) is due, `--apply` commits only the level change on a new branch with the evidence in
its message, the working tree and HEAD stay as they were, a merged demotion is applied and
not asked for again, and bad requests are refused with exit 2."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

from tests.check.conftest import POLICY, Scenario, agentgov, new_scenario
from tests.conftest import git


def breached(tmp_path: Path) -> Scenario:
    scenario = new_scenario(tmp_path, POLICY)
    scenario.asks(approved=0, denied=3)
    return scenario


def rollback(scenario: Scenario, *args: str) -> tuple[int, dict[str, Any], str]:
    done = agentgov(scenario.path, "rollback", *args, "--format", "json")
    return done.returncode, json.loads(done.stdout) if done.stdout else {}, done.stderr


def test_a_breached_trigger_is_due_and_nothing_is_written(tmp_path: Path) -> None:
    scenario = breached(tmp_path)
    code, report, _ = rollback(scenario)
    assert code == 1
    [demotion] = report["demotions"]
    assert (demotion["task_class"], demotion["from"], demotion["to"]) == ("default", 3, 2)
    assert demotion["applied"] is False
    assert report["branch"] is None
    assert "agentgov/rollback" not in scenario.git("branch", "--list")
    text = agentgov(scenario.path, "rollback")
    assert text.returncode == 1
    assert "run `agentgov rollback --apply`" in text.stdout


def test_apply_commits_only_the_level_on_a_new_branch(tmp_path: Path) -> None:
    scenario = breached(tmp_path)
    head = scenario.sha()
    status = scenario.git("status", "--porcelain")
    code, report, stderr = rollback(scenario, "--apply")
    assert code == 0, stderr
    branch = str(report["branch"])
    assert branch.startswith("agentgov/rollback-")
    assert scenario.sha() == head  # HEAD, the index and the working tree are untouched
    assert scenario.git("status", "--porcelain") == status
    assert scenario.git("rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    before = scenario.git("show", f"{head}:.agentgov/policy.yaml").splitlines()
    after = scenario.git("show", f"{branch}:.agentgov/policy.yaml").splitlines()
    changed = [line for line in difflib.ndiff(before, after) if line.startswith(("+ ", "- "))]
    assert changed == ["-   default: {level: execute-gated}", "+   default: {level: propose}"]
    assert scenario.git("rev-parse", f"{branch}~1").strip() == head
    message = scenario.git("log", "-1", "--format=%B", branch)
    assert message.startswith("agentgov rollback: default 3 → 2\n")
    assert "deny_rate > 0.5 over 14d (min 3 samples): 1.0000 (3/3)" in message
    assert "Agentgov-Rollback: default 3->2" in message
    files = scenario.git("diff", "--name-only", head, branch).split()
    assert files == [".agentgov/policy.yaml"]
    # a second apply makes a second branch, never overwriting the first
    code, again, _ = rollback(scenario, "--apply")
    assert code == 0
    assert again["branch"] == f"{branch}-2"


def test_a_merged_demotion_is_applied_and_not_asked_again(tmp_path: Path) -> None:
    scenario = breached(tmp_path)
    code, report, _ = rollback(scenario, "--apply")
    assert code == 0
    scenario.git("merge", "-q", "--ff-only", str(report["branch"]))
    code, after, _ = rollback(scenario)
    assert code == 0
    [demotion] = after["demotions"]
    assert (demotion["from"], demotion["to"], demotion["applied"]) == (2, 2, True)


def test_nothing_due_exits_0(tmp_path: Path) -> None:
    scenario = new_scenario(tmp_path, POLICY)
    code, report, _ = rollback(scenario, "--apply")
    assert code == 0
    assert report["demotions"] == []
    assert report["branch"] is None
    text = agentgov(scenario.path, "rollback")
    assert text.stdout.startswith("no demotion is due")


def test_push_sends_the_branch_to_origin(tmp_path: Path) -> None:
    scenario = breached(tmp_path)
    remote = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    scenario.git("remote", "add", "origin", str(remote))
    code, report, stderr = rollback(scenario, "--apply", "--push", "--branch", "demote-default")
    assert code == 0, stderr
    assert report["branch"] == "demote-default"
    assert report["pushed"] is True
    pushed = git(remote, "rev-parse", "refs/heads/demote-default").strip()
    assert pushed == report["commit"]


def test_refusals(tmp_path: Path) -> None:
    scenario = breached(tmp_path)
    scenario.git("branch", "taken")
    done = agentgov(scenario.path, "rollback", "--apply", "--branch", "taken")
    assert done.returncode == 2
    assert "--branch taken: that branch exists" in done.stderr
    done = agentgov(scenario.path, "rollback", "--push")
    assert done.returncode == 2
    assert "--push and --branch go with --apply" in done.stderr
    (scenario.path / ".agentgov" / "policy.yaml").write_text(POLICY + "# edited\n")
    done = agentgov(scenario.path, "rollback", "--apply")
    assert done.returncode == 2
    assert "differs from HEAD's: commit or stash it first" in done.stderr
    assert "Traceback" not in done.stderr
