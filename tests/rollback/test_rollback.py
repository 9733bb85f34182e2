"""`agentgov rollback` on real repositories: a breached trigger (denies through the real
hook) is due, `--apply` commits only the level change on a new branch with the evidence in
its message, the working tree, the index and HEAD stay as they were, a merged demotion is
applied and not asked for again (but a level raised again is), several triggers on a class
bind to the lowest target, `--push` never forces, and bad requests are refused with
exit 2."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

from tests.check.conftest import POLICY, Scenario, agentgov, new_scenario
from tests.conftest import git

POLICY_PATH = ".agentgov/policy.yaml"
TWO_TRIGGERS = POLICY.replace(
    "     action: {demote_by: 1}}\n",
    "     action: {demote_by: 1}}\n"
    '  - {metric: deny_rate, op: ">=", threshold: 0.9, window: 14d, min_samples: 3,\n'
    "     action: {demote_to: suggest}, classes: [default]}\n",
)


def breached(tmp_path: Path, policy: str = POLICY) -> Scenario:
    scenario = new_scenario(tmp_path, policy)
    scenario.asks(approved=0, denied=3)
    return scenario


def rollback(scenario: Scenario, *args: str) -> tuple[int, dict[str, Any], str]:
    done = agentgov(scenario.path, "rollback", *args, "--format", "json")
    assert "Traceback" not in done.stderr
    return done.returncode, json.loads(done.stdout) if done.stdout else {}, done.stderr


def rollback_branches(scenario: Scenario) -> list[str]:
    listed = scenario.git("for-each-ref", "--format=%(refname:short)", "refs/heads/agentgov/")
    return listed.split()


def changed_lines(scenario: Scenario, old: str, new: str) -> list[str]:
    before = scenario.git("show", f"{old}:{POLICY_PATH}").splitlines()
    after = scenario.git("show", f"{new}:{POLICY_PATH}").splitlines()
    return [line for line in difflib.ndiff(before, after) if line.startswith(("+ ", "- "))]


def test_a_breached_trigger_is_due_and_nothing_is_written(tmp_path: Path) -> None:
    scenario = breached(tmp_path)
    head = scenario.sha()
    code, report, _ = rollback(scenario)
    assert code == 1
    assert report["v"] == 1
    assert report["head"] == head
    assert report["policy"] == f"{head[:12]}:{POLICY_PATH}"
    [demotion] = report["demotions"]
    assert (demotion["task_class"], demotion["from"], demotion["to"]) == ("default", 3, 2)
    assert (demotion["applied"], demotion["binding"]) == (False, True)
    criterion = demotion["criterion"]
    assert (criterion["metric"], criterion["op"], criterion["threshold"]) == ("deny_rate", ">", 0.5)
    assert (criterion["numerator"], criterion["denominator"]) == (3, 3)
    assert report["due"] == {"default": 2}
    assert (report["branch"], report["commit"], report["pushed"]) == (None, None, False)
    assert rollback_branches(scenario) == []
    text = agentgov(scenario.path, "rollback")
    assert text.returncode == 1
    assert "due:\n  default: 3 execute-gated → 2 propose (demote by 1)" in text.stdout
    assert "run `agentgov rollback --apply`" in text.stdout


def test_apply_commits_only_the_level_on_a_new_branch(tmp_path: Path) -> None:
    scenario = breached(tmp_path)
    head = scenario.sha()
    scenario.write("staged.txt", "in the index\n")
    scenario.git("add", "staged.txt")
    scenario.write("untracked.txt", "left alone\n")
    status = scenario.git("status", "--porcelain")
    index = scenario.git("ls-files", "--stage")
    working = (scenario.path / POLICY_PATH).read_bytes()

    code, report, stderr = rollback(scenario, "--apply")

    assert code == 0, stderr
    branch = str(report["branch"])
    assert branch.startswith("agentgov/rollback-20")
    assert scenario.git("rev-parse", f"refs/heads/{branch}").strip() == report["commit"]
    # HEAD, the current branch, the index and the working tree are untouched
    assert scenario.sha() == head
    assert scenario.git("symbolic-ref", "HEAD").strip() == "refs/heads/main"
    assert scenario.git("status", "--porcelain") == status
    assert scenario.git("ls-files", "--stage") == index
    assert (scenario.path / POLICY_PATH).read_bytes() == working
    # the commit: HEAD's tree with the one level changed, nothing else
    assert scenario.git("rev-parse", f"{branch}~1").strip() == head
    assert scenario.git("diff", "--name-only", head, branch).split() == [POLICY_PATH]
    assert changed_lines(scenario, head, branch) == [
        "-   default: {level: execute-gated}",
        "+   default: {level: propose}",
    ]
    message = scenario.git("log", "-1", "--format=%B", branch)
    window = report["demotions"][0]["criterion"]
    assert message.startswith("agentgov rollback: default 3 → 2\n\n")
    assert "default: 3 execute-gated → 2 propose\n" in message
    assert "  - deny_rate > 0.5 over 14d (min 3 samples) → demote by 1: target 2 propose\n" in (
        message
    )
    assert "    deny_rate: 1.0000 (3/3); threshold > 0.5\n" in message
    assert "    samples: 3 (min 3)\n" in message
    assert f"    window: {window['from']} to {window['to']}\n" in message
    assert "    verdict: pass (the trigger's condition holds: breached)\n" in message
    trailers = scenario.git(
        "log", "-1", "--format=%(trailers:key=Agentgov-Rollback,valueonly)", branch
    )
    assert trailers.strip() == "default 3->2"
    # a second apply makes a second branch, never overwriting the first
    code, again, _ = rollback(scenario, "--apply")
    assert code == 0
    assert again["branch"] == f"{branch}-2"
    assert scenario.git("rev-parse", branch).strip() == report["commit"]
    assert sorted(rollback_branches(scenario)) == [branch, f"{branch}-2"]


def test_a_merged_demotion_is_applied_and_not_asked_again(tmp_path: Path) -> None:
    scenario = breached(tmp_path)
    code, report, _ = rollback(scenario, "--apply")
    assert code == 0
    scenario.git("merge", "-q", "--ff-only", str(report["branch"]))
    code, after, _ = rollback(scenario, "--apply")
    assert code == 0
    [demotion] = after["demotions"]
    assert (demotion["from"], demotion["to"], demotion["applied"]) == (2, 2, True)
    assert after["due"] == {}
    assert after["branch"] is None
    assert rollback_branches(scenario) == [report["branch"]]
    text = agentgov(scenario.path, "rollback")
    assert text.returncode == 0
    assert "already applied:\n  default: 2 propose → 2 propose (demote by 1)" in text.stdout
    assert "due:" not in text.stdout


def test_a_level_raised_again_inside_the_window_is_due_again(tmp_path: Path) -> None:
    scenario = breached(tmp_path)
    _, report, _ = rollback(scenario, "--apply")
    scenario.git("merge", "-q", "--ff-only", str(report["branch"]))
    scenario.policy(POLICY, "raise default back to execute-gated")
    code, again, _ = rollback(scenario)
    assert code == 1
    [demotion] = again["demotions"]
    assert (demotion["from"], demotion["to"], demotion["applied"]) == (3, 2, False)


def test_the_lowest_target_binds_when_several_triggers_fire(tmp_path: Path) -> None:
    scenario = breached(tmp_path, TWO_TRIGGERS)
    head = scenario.sha()
    code, report, _ = rollback(scenario)
    assert code == 1
    found = [(d["to"], d["action"], d["binding"]) for d in report["demotions"]]
    assert found == [(2, "demote by 1", False), (1, "demote to 1 suggest", True)]
    assert report["due"] == {"default": 1}
    text = agentgov(scenario.path, "rollback").stdout
    assert "(demote to 1 suggest): rollback trigger" in text
    assert text.count("(binding: the lowest target)") == 1
    assert text.count("(a lower target binds)") == 1

    code, applied, _ = rollback(scenario, "--apply")
    assert code == 0
    branch = applied["branch"]
    assert changed_lines(scenario, head, branch) == [
        "-   default: {level: execute-gated}",
        "+   default: {level: suggest}",
    ]
    message = scenario.git("log", "-1", "--format=%B", branch)
    assert message.startswith("agentgov rollback: default 3 → 1\n")
    assert "→ demote to 1 suggest: target 1 suggest (binding: the lowest target)" in message
    assert "→ demote by 1: target 2 propose\n" in message
    trailers = scenario.git(
        "log", "-1", "--format=%(trailers:key=Agentgov-Rollback,valueonly)", branch
    ).split("\n")
    assert [t for t in trailers if t] == ["default 3->1"]  # the change the commit makes
    # once the binding one is merged, neither is due, nor does the first demote again
    scenario.git("merge", "-q", "--ff-only", branch)
    code, after, _ = rollback(scenario)
    assert code == 0
    assert [(d["from"], d["to"], d["applied"]) for d in after["demotions"]] == [
        (1, 2, True),
        (1, 1, True),
    ]


def test_nothing_due_exits_0_and_makes_no_branch(tmp_path: Path) -> None:
    scenario = new_scenario(tmp_path, POLICY)
    scenario.asks(approved=3, denied=0)
    code, report, _ = rollback(scenario, "--apply")
    assert code == 0
    assert (report["demotions"], report["due"], report["branch"]) == ([], {}, None)
    assert rollback_branches(scenario) == []
    text = agentgov(scenario.path, "rollback")
    assert text.returncode == 0
    assert "no demotion is due: no rollback trigger is breached and no incident is open" in (
        text.stdout
    )


def test_push_sends_the_branch_to_origin_and_never_forces(tmp_path: Path) -> None:
    scenario = breached(tmp_path)
    remote = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    scenario.git("remote", "add", "origin", str(remote))
    code, report, stderr = rollback(scenario, "--apply", "--push", "--branch", "demote-default")
    assert code == 0, stderr
    assert (report["branch"], report["pushed"]) == ("demote-default", True)
    assert git(remote, "rev-parse", "refs/heads/demote-default").strip() == report["commit"]
    assert "refs/heads/main" not in git(remote, "for-each-ref")  # only that branch went

    # origin has a branch of that name this clone does not: the push is refused, not forced
    scenario.git("checkout", "-q", "--orphan", "elsewhere")
    scenario.commit("unrelated")
    scenario.git("push", "-q", "origin", "elsewhere:refs/heads/theirs")
    theirs = git(remote, "rev-parse", "refs/heads/theirs").strip()
    scenario.git("checkout", "-q", "-f", "main")
    done = agentgov(scenario.path, "rollback", "--apply", "--push", "--branch", "theirs")
    assert done.returncode == 2
    assert "branch theirs (" in done.stderr
    assert "is made here, but pushing it failed" in done.stderr
    assert git(remote, "rev-parse", "refs/heads/theirs").strip() == theirs
    assert scenario.sha("refs/heads/theirs") != theirs


def test_refusals_say_what_to_do(tmp_path: Path) -> None:
    scenario = breached(tmp_path)
    head = scenario.sha()
    scenario.git("branch", "taken")
    refused = [
        (["--apply", "--branch", "taken"], "--branch taken: that branch exists; name another"),
        (["--apply", "--branch", "bad..name"], "--branch 'bad..name': not a valid branch name"),
        (["--push"], "--push and --branch go with --apply"),
        (["--branch", "x"], "--push and --branch go with --apply"),
    ]
    for args, message in refused:
        done = agentgov(scenario.path, "rollback", *args)
        assert done.returncode == 2, args
        assert message in done.stderr
        assert "Traceback" not in done.stderr
    policy = scenario.path / POLICY_PATH
    policy.write_text(POLICY + "# edited\n")
    done = agentgov(scenario.path, "rollback", "--apply")
    assert done.returncode == 2
    assert f"{POLICY_PATH} in the working tree differs from HEAD's: commit or stash it" in (
        done.stderr
    )
    policy.unlink()
    done = agentgov(scenario.path, "rollback", "--apply")
    assert done.returncode == 2
    assert f"{POLICY_PATH} in the working tree is missing: commit or stash it" in done.stderr
    # without --apply nothing is written, so HEAD's policy is measured and reported
    assert agentgov(scenario.path, "rollback").returncode == 1
    assert rollback_branches(scenario) == []
    assert scenario.sha() == head


def test_head_without_a_committed_policy_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bare-of-policy"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    git(path, "commit", "-q", "--allow-empty", "-m", "initial")
    (path / ".agentgov").mkdir()
    (path / POLICY_PATH).write_text(POLICY)  # in the working tree only
    done = agentgov(path, "rollback")
    assert done.returncode == 2
    assert f"has no committed {POLICY_PATH}: rollback demotes the committed policy" in (done.stderr)


INCIDENT_POLICY = POLICY.replace(
    "rollback:\n",
    "rollback:\n  - {incident: production, action: {reset_to: propose}, classes: [default]}\n",
)


def test_an_open_incident_is_due_and_its_commit_names_it(tmp_path: Path) -> None:
    scenario = new_scenario(tmp_path, INCIDENT_POLICY)
    scenario.asks(approved=2, denied=0)
    scenario.incident("production", "deleted the staging database")
    code, report, stderr = rollback(scenario)
    assert code == 1, stderr
    [demotion] = report["demotions"]
    assert (demotion["task_class"], demotion["from"], demotion["to"]) == ("default", 3, 2)
    assert (demotion["incident"], demotion["criterion"], demotion["applied"]) == (
        "production",
        None,
        False,
    )
    [incident] = demotion["incidents"]
    code, applied, stderr = rollback(scenario, "--apply")
    assert code == 0, stderr
    message = scenario.git("log", "-1", "--format=%B", applied["branch"])
    assert "  - incident production → reset to 2 propose: target 2 propose\n" in message
    assert f"    incident {incident['id']}: severity production, opened " in message
    assert "note: deleted the staging database\n" in message
    # merged, the open incident is applied: not demanded again while it stays open
    scenario.git("merge", "-q", "--ff-only", applied["branch"])
    code, after, _ = rollback(scenario)
    assert code == 0
    assert [(d["from"], d["to"], d["applied"]) for d in after["demotions"]] == [(2, 2, True)]
