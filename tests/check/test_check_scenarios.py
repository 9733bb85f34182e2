"""`agentgov check` on pull requests built as real repositories: raised levels with and
without evidence, moved paths, loosenings in and out of an incident's cooldown, agent
commits touching governance files, breached rollback triggers, a tampered trail, and a
PR whose working tree says otherwise."""

from __future__ import annotations

import json
import time
from pathlib import Path

from tests.check.conftest import CLAUDE, POLICY, Scenario, agentgov, clean_env, new_scenario

RAISED = POLICY.replace("default: {level: execute-gated}", "default: {level: execute-sandboxed}")
RAISED_TWO = POLICY.replace("default: {level: execute-gated}", "default: {level: autonomous}")


def pr(scenario: Scenario, policy: str, message: str = "raise default") -> None:
    scenario.branch("pr")
    scenario.policy(policy, message)


def test_a_raise_without_evidence_fails_naming_the_criterion(scenario: Scenario) -> None:
    pr(scenario, RAISED)
    checked = scenario.check("--base", "main", "--head", "pr")
    assert checked.code == 1
    assert checked.rules("error") == ["check.raise-unproven"]
    [message] = checked.messages("check.raise-unproven")
    assert message.startswith("default: level 3 execute-gated → 4 execute-sandboxed")
    assert "approval_rate >= 0.5 over 14d (min 2 samples): no data" in message
    assert "2 more samples needed" in message
    assert message.endswith(": insufficient")
    [raised] = checked.report["raises"]
    assert (raised["task_class"], raised["from"], raised["to"], raised["proven"]) == (
        "default",
        3,
        4,
        False,
    )
    finding = checked.report["findings"][0]
    assert finding["location"]["path"] == ".agentgov/policy.yaml"
    assert finding["location"]["line"] == 4  # the level's line in head's policy


def test_the_same_raise_with_evidence_passes(scenario: Scenario) -> None:
    scenario.asks(approved=2)
    pr(scenario, RAISED)
    checked = scenario.check("--base", "main", "--head", "pr")
    assert checked.code == 0, checked.report["findings"]
    assert "check.raise-unproven" not in checked.rules()
    [raised] = checked.report["raises"]
    assert raised["proven"] is True
    [level] = raised["levels"]
    [criterion] = level["criteria"]
    assert (criterion["verdict"], criterion["numerator"], criterion["denominator"]) == (
        "pass",
        2,
        2,
    )


def test_insufficient_evidence_fails(scenario: Scenario) -> None:
    scenario.asks(approved=1)
    pr(scenario, RAISED)
    checked = scenario.check("--base", "main", "--head", "pr")
    assert checked.code == 1
    [message] = checked.messages("check.raise-unproven")
    assert "1.0000 (1/1), 1 more samples needed" in message
    assert message.endswith("insufficient")


def test_every_level_crossed_is_judged(scenario: Scenario) -> None:
    scenario.asks(approved=1, rejected=1)
    pr(scenario, RAISED_TWO)
    checked = scenario.check("--base", "main", "--head", "pr")
    assert checked.code == 1
    [message] = checked.messages("check.raise-unproven")
    assert "default: level 3 execute-gated → 5 autonomous" in message
    assert "to 5 autonomous: approval_rate >= 0.9" in message
    assert "to 4 execute-sandboxed" not in message  # 1/2 passes >= 0.5
    levels = {level["level"]: level for level in checked.report["raises"][0]["levels"]}
    assert [c["verdict"] for c in levels[4]["criteria"]] == ["pass"]
    assert [c["verdict"] for c in levels[5]["criteria"]] == ["fail"]


def test_a_raise_by_moving_paths_into_a_higher_class_fails(scenario: Scenario) -> None:
    scenario.asks(approved=2)  # default's evidence is good for level 4 ...
    moved = POLICY.replace('paths: ["tests/**"]', 'paths: ["tests/**", "src/**"]')
    pr(scenario, moved, "src into tests")
    checked = scenario.check("--base", "main", "--head", "pr")
    # ... so moving src/ (default, level 3) into tests (level 4) is earned on it
    assert checked.code == 0, checked.report["findings"]
    [raised] = checked.report["raises"]
    assert (raised["task_class"], raised["evidence_class"]) == ("tests", "default")
    assert "src/**" in raised["because"]
    assert "moved from default" in raised["because"]


def test_moving_paths_up_without_evidence_fails(scenario: Scenario) -> None:
    moved = POLICY.replace('paths: ["tests/**"]', 'paths: ["tests/**", "src/**"]')
    pr(scenario, moved, "src into tests")
    checked = scenario.check("--base", "main", "--head", "pr")
    assert checked.code == 1
    [message] = checked.messages("check.raise-unproven")
    assert message.startswith("tests: level 3 execute-gated → 4 execute-sandboxed")
    assert "the evidence of default" in message


def test_a_new_class_at_a_higher_level_is_a_raise(scenario: Scenario) -> None:
    added = POLICY.replace(
        "ladder:", '  app:\n    level: autonomous\n    paths: ["src/**"]\nladder:'
    )
    pr(scenario, added, "new class app")
    checked = scenario.check("--base", "main", "--head", "pr")
    assert checked.code == 1
    [raised] = checked.report["raises"]
    assert (raised["task_class"], raised["from"], raised["to"]) == ("app", 3, 5)


LOOSER = POLICY.replace(
    "threshold: 0.5, window: 14d, min_samples: 2}",
    "threshold: 0.4, window: 14d, min_samples: 2}",
    1,
)


def test_a_loosened_threshold_warns(scenario: Scenario) -> None:
    pr(scenario, LOOSER, "loosen")
    checked = scenario.check("--base", "main", "--head", "pr")
    assert checked.code == 0
    assert checked.rules("warning") == ["check.loosened"]
    [message] = checked.messages("check.loosened")
    assert "0.5 → 0.4" in message


def test_a_loosening_inside_an_incident_cooldown_fails(scenario: Scenario) -> None:
    scenario.incident("production", "dropped a table")
    assert agentgov(scenario.path, "audit", "flush").returncode == 0
    time.sleep(1.1)  # committer times are whole seconds: base must come after the incident
    scenario.commit("after the incident")
    pr(scenario, LOOSER, "loosen")
    checked = scenario.check("--base", "main", "--head", "pr")
    assert checked.code == 1
    assert checked.rules("error") == ["check.loosened"]
    [message] = checked.messages("check.loosened")
    assert "inside the 14d cooldown after incident" in message
    assert "(open)" in message


def test_an_agent_commit_touching_the_policy_fails(scenario: Scenario) -> None:
    scenario.branch("pr")
    scenario.write(
        ".agentgov/policy.yaml",
        POLICY.replace("  docs:\n", "  docs:\n    description: prose\n"),
    )
    scenario.git("add", ".agentgov/policy.yaml")
    scenario.git("commit", "-q", "-m", f"describe docs\n\n{CLAUDE}")
    scenario.write("src/app.py", "print('agent')\n")
    scenario.git("add", "src/app.py")
    scenario.git("commit", "-q", "-m", f"agent work\n\n{CLAUDE}")
    checked = scenario.check("--base", "main", "--head", "pr")
    assert checked.code == 1
    [message] = checked.messages("check.agent-governance-edit")
    assert "changes .agentgov/policy.yaml" in message
    assert "describe docs" in message
    assert "marker: Co-Authored-By: Claude" in message


def test_an_agent_commit_changing_codeowners_lines_that_guard_governance_fails(
    scenario: Scenario,
) -> None:
    scenario.write(".github/CODEOWNERS", "/src/ @devs\n/.agentgov/ @governance\n")
    scenario.commit("owners", ".github/CODEOWNERS")
    scenario.branch("pr")
    scenario.write(".github/CODEOWNERS", "/src/ @devs @bots\n/.agentgov/ @governance @bots\n")
    scenario.git("add", ".github/CODEOWNERS")
    scenario.git("commit", "-q", "-m", f"owners\n\n{CLAUDE}")
    checked = scenario.check("--base", "main", "--head", "pr")
    assert checked.code == 1
    findings = [f for f in checked.report["findings"] if f["rule"] == "check.agent-governance-edit"]
    # the /src/ line guards nothing that governs agents; both sides of the /.agentgov/ edit do
    assert {(f["location"]["path"], f["location"]["line"]) for f in findings} == {
        (".github/CODEOWNERS", 2)
    }
    assert all("/.agentgov/" in f["message"] for f in findings)


def test_a_person_changing_the_policy_is_not_an_agent_edit(scenario: Scenario) -> None:
    pr(scenario, POLICY.replace("  docs:\n", "  docs:\n    description: prose\n"), "describe")
    checked = scenario.check("--base", "main", "--head", "pr")
    assert checked.code == 0, checked.report["findings"]
    assert checked.rules("error") + checked.rules("warning") == []
    assert checked.rules("note") == ["check.audit-trail"]  # this repository has no trail yet


def test_a_breached_trigger_fails_on_the_protected_branch(scenario: Scenario) -> None:
    scenario.asks(approved=0, denied=3)
    checked = scenario.check("--base", "main~1", "--head", "main")
    assert checked.report["protected"] is True
    assert checked.code == 1
    [message] = checked.messages("check.rollback-due")
    assert message.startswith("default: demote 3 execute-gated → 2 propose (demote by 1)")
    assert "deny_rate > 0.5 over 14d (min 3 samples): 1.0000 (3/3)" in message


def test_a_breached_trigger_warns_on_a_pr_and_fails_a_policy_pr_that_ignores_it(
    scenario: Scenario,
) -> None:
    scenario.asks(approved=0, denied=3)
    scenario.branch("feature")
    scenario.write("src/app.py", "print('feature')\n")
    scenario.commit("feature", "src/app.py")
    checked = scenario.check("--base", "main", "--head", "feature")
    assert checked.code == 0
    assert checked.rules("warning") == ["check.rollback-due"]
    scenario.checkout("main")
    scenario.branch("policy-pr")
    scenario.policy(POLICY.replace("  docs:\n", "  docs:\n    description: prose\n"), "describe")
    ignoring = scenario.check("--base", "main", "--head", "policy-pr")
    assert ignoring.code == 1
    assert ignoring.rules("error") == ["check.rollback-due"]
    scenario.checkout("main")
    scenario.branch("demote")
    scenario.policy(POLICY.replace("default: {level: execute-gated}", "default: {level: propose}"))
    applied = scenario.check("--base", "main", "--head", "demote")
    assert applied.code == 0, applied.report["findings"]
    assert "check.rollback-due" not in applied.rules()
    assert [d["applied"] for d in applied.report["demotions"]] == [True]


def test_the_working_tree_cannot_change_the_verdict(scenario: Scenario) -> None:
    pr(scenario, RAISED)
    clean = scenario.check("--base", "main", "--head", "pr")
    # the PR's job has the PR checked out: its working copy, workflow and settings lie
    scenario.write(".agentgov/policy.yaml", POLICY)
    scenario.write(".github/workflows/agentgov.yml", "on: push\njobs: {}\n")
    scenario.write(".agentgov/claude-hook.sh", "exit 0\n")
    dirty = scenario.check("--base", "main", "--head", "pr")
    assert dirty.report == clean.report
    assert dirty.code == clean.code == 1


def test_a_tampered_trail_fails(scenario: Scenario) -> None:
    scenario.asks(approved=2)
    notes = scenario.git("notes", "--ref", "agentgov", "list").split()
    noted = notes[1]
    text = scenario.git("notes", "--ref", "agentgov", "show", noted)
    kept = "\n".join(text.splitlines()[1:]) + "\n"
    (scenario.path / "note.txt").write_text(kept)
    scenario.git("notes", "--ref", "agentgov", "add", "-f", "-F", "note.txt", noted)
    checked = scenario.check("--base", "main", "--head", "main")
    assert checked.code == 1
    assert "check.audit-trail" in checked.rules("error")


def test_defaults_come_from_the_github_environment(scenario: Scenario) -> None:
    pr(scenario, RAISED)
    scenario.git("update-ref", "refs/remotes/origin/main", "main")
    env = clean_env(GITHUB_BASE_REF="main", GITHUB_EVENT_NAME="pull_request")
    checked = scenario.check(env=env)
    assert checked.report["base"] == scenario.sha("main")
    assert checked.report["head"] == scenario.sha("pr")
    assert checked.code == 1


def test_a_base_that_is_no_commit_is_a_usage_error(scenario: Scenario) -> None:
    done = agentgov(scenario.path, "check", "--base", "nope", "--head", "main")
    assert done.returncode == 2
    assert "--base nope: not a commit here" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_invalid_policy_at_head_fails_with_its_place(scenario: Scenario) -> None:
    pr(scenario, POLICY.replace("level: execute-sandboxed", "level: sandboxed"), "typo")
    checked = scenario.check("--base", "main", "--head", "pr")
    assert checked.code == 1
    [finding] = [f for f in checked.report["findings"] if f["rule"] == "check.policy-invalid"]
    assert finding["location"] == {"path": ".agentgov/policy.yaml", "line": 9, "col": 12}


def test_without_a_cooldown_a_loosening_after_a_resolved_incident_only_warns(
    tmp_path: Path,
) -> None:
    no_cooldown = POLICY.replace("incident_cooldown: 14d", "incident_cooldown: 0d")
    scenario = new_scenario(tmp_path, no_cooldown)
    scenario.incident("outage", "n")
    done = agentgov(scenario.path, "incident", "resolve", _incident_id(scenario), "--note", "ok")
    assert done.returncode == 0, done.stderr
    assert agentgov(scenario.path, "audit", "flush").returncode == 0
    time.sleep(1.1)
    scenario.commit("after")
    pr(scenario, LOOSER.replace("incident_cooldown: 14d", "incident_cooldown: 0d"), "loosen")
    checked = scenario.check("--base", "main", "--head", "pr")
    assert checked.code == 0
    assert checked.rules("warning") == ["check.loosened"]


def _incident_id(scenario: Scenario) -> str:
    done = agentgov(scenario.path, "incident", "list", "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    return str(data["incidents"][0]["id"])
