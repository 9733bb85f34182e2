"""Moving refs cannot swap the policy in force (issue 9, section 2).

Every case is a real clone of a real bare remote in tmp_path. The clone is judged once
(as the hook does on its first tool call), which makes it remember the committed policy;
then a ref is moved the way an agent would move it, for real, and the policy in force, the
memory and ``agentgov policy show`` are read back.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from agentgov.policy.in_force import policy_in_force
from agentgov.policy.in_force_memory import MEMORY_NAME, Memory, read_memory
from agentgov.policy.model import Level
from tests.claude_code.test_hook import journal as hook_journal
from tests.claude_code.test_hook import payload, run_hook, verdict
from tests.conftest import git

POLICY = """version: 1
protected_branches: [{protected}]
task_classes:
  default:
    level: {level}
"""


def write_policy(repo: Path, level: int, protected: str = "main") -> None:
    (repo / ".agentgov").mkdir(exist_ok=True)
    (repo / ".agentgov" / "policy.yaml").write_text(POLICY.format(level=level, protected=protected))


def commit_policy(repo: Path, level: int, message: str = "") -> str:
    write_policy(repo, level)
    git(repo, "add", ".agentgov/policy.yaml")
    git(repo, "commit", "-q", "-m", message or f"policy level {level}")
    return git(repo, "rev-parse", "HEAD").strip()


def person_env(**more: str) -> dict[str, str]:
    """A person's terminal: no agent markers, a known user name."""
    drop = ("CLAUDECODE", "CLAUDE_CODE_ENTRYPOINT", "AGENTGOV_AGENT", "CI")
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("GIT_")}
    env.update({"USER": "tester", "LOGNAME": "tester", **more})
    return env


def agentgov(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agentgov", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env=env or person_env(),
    )


@dataclass(frozen=True)
class Setup:
    upstream: Path  # where reviewed changes are made and pushed
    remote: Path
    clone: Path  # the agent's clone
    old: str  # a commit from before the policy existed
    reviewed: str  # the commit that brought the policy (level 2)


@pytest.fixture
def setup(repo: Path, tmp_path: Path) -> Setup:
    old = git(repo, "rev-parse", "HEAD").strip()
    reviewed = commit_policy(repo, 2)
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "fetch", "-q", "origin")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(remote), str(clone))
    git(clone, "config", "user.email", "agent@example.com")
    git(clone, "config", "user.name", "Agent")
    first = policy_in_force(clone)  # the first judgement: the clone remembers it
    assert (first.ref, first.commit, first.refusal) == ("refs/remotes/origin/main", reviewed, "")
    return Setup(repo, remote, clone, old, reviewed)


def level(path: Path) -> Level:
    return policy_in_force(path).policy.task_class("default").level


def memory_file(clone: Path) -> Path:
    return clone / ".git" / "agentgov" / "policy" / MEMORY_NAME


def test_the_first_judgement_remembers_the_committed_policy(setup: Setup) -> None:
    assert memory_file(setup.clone).read_text() == (
        "agentgov policy in force v1\n"
        "ref refs/remotes/origin/main\n"
        f"commit {setup.reviewed}\n"
        f"policy {read_memory_hash(setup)}\n"
    )


def test_update_ref_to_a_commit_before_the_policy_is_refused(setup: Setup) -> None:
    write_policy(setup.clone, 5, protected="")  # the agent edits its working copy
    git(setup.clone, "update-ref", "refs/remotes/origin/main", setup.old)
    found = policy_in_force(setup.clone)
    assert (found.origin, found.commit, found.tip) == ("branch", setup.reviewed, setup.old)
    assert found.policy.task_class("default").level is Level.PROPOSE
    assert found.policy.protected_branches == ("main",)
    assert found.refusal == (
        f"refused: refs/remotes/origin/main now points at {setup.old[:12]}, which has no "
        ".agentgov/policy.yaml; the remembered policy stays in force; if a person moved it "
        "on purpose, they run `agentgov policy accept` (or `agentgov policy forget`)"
    )
    shown = agentgov(setup.clone, "policy", "show")
    assert shown.returncode == 1
    assert shown.stdout.splitlines()[:5] == [
        "policy in force: origin/main:.agentgov/policy.yaml",
        f"  from refs/remotes/origin/main at {setup.reviewed[:12]}",
        f"  why: the policy this clone remembers (commit {setup.reviewed[:12]}), because "
        "the branch's current state was refused",
        f"  REFUSED: refs/remotes/origin/main now points at {setup.old[:12]}, which has no "
        ".agentgov/policy.yaml; the remembered policy stays in force; if a person moved it "
        "on purpose, they run `agentgov policy accept` (or `agentgov policy forget`)",
        "  working copy: differs (a proposal until merged)",
    ]
    validated = agentgov(setup.clone, "validate")
    assert validated.returncode == 1
    assert "agentgov: policy in force refused: refs/remotes/origin/main now points" in (
        validated.stderr
    )


def test_the_hook_still_denies_a_force_push_after_the_ref_moved(setup: Setup) -> None:
    clone = setup.clone
    command = "git push --force origin main"
    before = run_hook(clone, payload("pre-bash", clone, command=command))
    assert verdict(before)[0] == "deny"
    write_policy(clone, 3, protected="")  # no protected branch: a force-push would only ask
    git(clone, "update-ref", "refs/remotes/origin/main", setup.old)
    after = run_hook(clone, payload("pre-bash", clone, command=command))
    assert after.returncode == 0, after.stderr
    decision, reason = verdict(after)
    assert decision == "deny"
    assert "git.force-push-protected" in reason


def test_symbolic_ref_of_origin_head_does_not_change_the_policy(setup: Setup) -> None:
    git(setup.upstream, "checkout", "-q", "-b", "agent/raise")
    commit_policy(setup.upstream, 5)  # a descendant of main, never reviewed
    git(setup.upstream, "push", "-q", "origin", "agent/raise")
    git(setup.clone, "fetch", "-q", "origin")
    git(setup.clone, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/agent/raise")
    found = policy_in_force(setup.clone)
    assert (found.ref, found.commit, found.refusal) == (
        "refs/remotes/origin/main",
        setup.reviewed,
        "",
    )
    assert found.policy.task_class("default").level is Level.PROPOSE


def test_an_unrelated_history_fetched_with_a_forced_refspec_is_refused(
    setup: Setup, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q", "-b", "main")
    forged = commit_policy(other, 5, "an unrelated history with its own policy")
    git(other, "push", "-q", str(setup.remote), "main:refs/heads/forged")
    git(setup.clone, "fetch", "-q", "origin", "+refs/heads/forged:refs/remotes/origin/main")
    assert git(setup.clone, "rev-parse", "origin/main").strip() == forged
    found = policy_in_force(setup.clone)
    assert found.policy.task_class("default").level is Level.PROPOSE
    assert found.refusal.startswith(
        f"refused: refs/remotes/origin/main now points at {forged[:12]}, which does not "
        f"descend from the remembered commit {setup.reviewed[:12]}"
    )
    # A replace ref (or a graft) that makes it look like a descendant changes nothing.
    git(setup.clone, "replace", "--graft", forged, setup.reviewed)
    assert git(setup.clone, "merge-base", "--is-ancestor", setup.reviewed, forged) == ""
    assert policy_in_force(setup.clone).commit == setup.reviewed
    (setup.clone / ".git" / "info").mkdir(exist_ok=True)
    (setup.clone / ".git" / "info" / "grafts").write_text(f"{forged} {setup.reviewed}\n")
    assert policy_in_force(setup.clone).commit == setup.reviewed


def test_a_forward_fetch_updates_the_memory(setup: Setup) -> None:
    merged = commit_policy(setup.upstream, 3, "reviewed: raise to level 3")
    git(setup.upstream, "push", "-q", "origin", "main")
    git(setup.clone, "fetch", "-q")
    found = policy_in_force(setup.clone)
    assert (found.commit, found.refusal) == (merged, "")
    assert found.policy.task_class("default").level is Level.EXECUTE_GATED
    memory = read_memory(memory_file(setup.clone).parent)
    assert isinstance(memory, Memory)
    assert memory.commit == merged
    # and the old commit is now refused like any other
    git(setup.clone, "update-ref", "refs/remotes/origin/main", setup.reviewed)
    assert level(setup.clone) is Level.EXECUTE_GATED
    assert policy_in_force(setup.clone).refusal.startswith(
        f"refused: refs/remotes/origin/main now points at {setup.reviewed[:12]}, which does "
        f"not descend from the remembered commit {merged[:12]}"
    )


def test_a_deleted_remote_tracking_ref_does_not_fall_back_to_local_main(setup: Setup) -> None:
    commit_policy(setup.clone, 5)  # the agent commits to its local main
    git(setup.clone, "update-ref", "-d", "refs/remotes/origin/main")
    found = policy_in_force(setup.clone)
    assert found.policy.task_class("default").level is Level.PROPOSE
    assert found.refusal.startswith("refused: refs/remotes/origin/main is gone;")


def test_a_reviewed_commit_that_drops_the_policy_is_refused(setup: Setup) -> None:
    git(setup.upstream, "rm", "-q", ".agentgov/policy.yaml")
    git(setup.upstream, "commit", "-q", "-m", "drop the policy")
    dropped = git(setup.upstream, "rev-parse", "HEAD").strip()
    git(setup.upstream, "push", "-q", "origin", "main")
    git(setup.clone, "pull", "-q")
    write_policy(setup.clone, 5)
    found = policy_in_force(setup.clone)
    assert found.policy.task_class("default").level is Level.PROPOSE
    assert found.refusal.startswith(
        f"refused: refs/remotes/origin/main now points at {dropped[:12]}, which has no "
        ".agentgov/policy.yaml;"
    )


def test_a_missing_memory_reads_the_branch_as_a_fresh_clone(setup: Setup) -> None:
    memory_file(setup.clone).unlink()
    write_policy(setup.clone, 5)
    found = policy_in_force(setup.clone)
    assert (found.commit, found.refusal) == (setup.reviewed, "")
    assert found.policy.task_class("default").level is Level.PROPOSE
    assert memory_file(setup.clone).is_file()  # remembered again


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "it does not start with 'agentgov policy in force v1' followed by three lines"),
        (b"\xff\xfe", "it is not ASCII text"),
        (
            b"agentgov policy in force v1\nref HEAD\ncommit 0\npolicy 0\n",
            "its ref 'HEAD' is not a branch or remote-tracking ref",
        ),
        (
            b"agentgov policy in force v1\nref refs/heads/main\ncommit xyz\npolicy 0\n",
            "its commit 'xyz' is not an object id",
        ),
    ],
)
def test_a_corrupt_memory_is_refused_and_never_uses_the_working_copy(
    setup: Setup, content: bytes, reason: str
) -> None:
    memory_file(setup.clone).write_bytes(content)
    write_policy(setup.clone, 5, protected="")
    git(setup.clone, "update-ref", "refs/remotes/origin/main", setup.old)
    found = policy_in_force(setup.clone)
    assert found.origin == "template"
    assert found.label == "<template strict>"
    assert found.policy.protected_branches != ()
    assert found.refusal == (
        "refused: the memory of the policy in force (.git/agentgov/policy/in-force) is "
        f"unusable: {reason}; if a person moved it on purpose, they run "
        "`agentgov policy accept` (or `agentgov policy forget`)"
    )


def test_a_corrupt_memory_keeps_the_branch_policy_when_there_is_one(setup: Setup) -> None:
    memory_file(setup.clone).write_text("garbage\n")
    found = policy_in_force(setup.clone)
    assert (found.origin, found.commit) == ("branch", setup.reviewed)
    assert found.refusal.startswith("refused: the memory of the policy in force")


def journal(clone: Path, session: str) -> list[dict[str, object]]:
    path = clone / ".git" / "agentgov" / "journal" / f"{session}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_person_accepts_a_rewritten_branch_and_it_is_recorded(
    setup: Setup, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q", "-b", "main")
    rewritten = commit_policy(other, 4, "the remote's history was rewritten")
    git(other, "push", "-q", "-f", str(setup.remote), "main")
    git(setup.clone, "fetch", "-q")
    assert policy_in_force(setup.clone).refusal
    done = agentgov(setup.clone, "policy", "accept")
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        f"policy in force: origin/main:.agentgov/policy.yaml at {rewritten[:12]} (was commit "
        f"{setup.reviewed[:12]} on refs/remotes/origin/main); recorded in the journal as "
        "session cli-tester\n"
    )
    found = policy_in_force(setup.clone)
    assert (found.commit, found.refusal) == (rewritten, "")
    assert found.policy.task_class("default").level is Level.EXECUTE_SANDBOXED
    [record] = journal(setup.clone, "cli-tester")
    assert {k: record[k] for k in ("kind", "source", "event", "commit", "policy", "seq")} == {
        "kind": "policy",
        "source": "cli",
        "event": "accept",
        "commit": rewritten,
        "policy": f"origin/main:.agentgov/policy.yaml@{rewritten[:12]}",
        "seq": 0,
    }
    from agentgov.audit.record_check import schema_error

    assert schema_error(record) is None
    detail = record["detail"]
    assert isinstance(detail, dict)
    assert detail["before"]["commit"] == setup.reviewed
    assert detail["after"]["commit"] == rewritten
    assert agentgov(setup.clone, "policy", "show").returncode == 0


def test_accept_a_given_commit(setup: Setup) -> None:
    git(setup.clone, "update-ref", "refs/remotes/origin/main", setup.old)
    missing = agentgov(setup.clone, "policy", "accept")
    assert missing.returncode == 2
    assert missing.stderr == (
        f"agentgov: commit {setup.old[:12]} has no .agentgov/policy.yaml: nothing to accept "
        "(to drop the memory instead, run `agentgov policy forget`)\n"
    )
    bad = agentgov(setup.clone, "policy", "accept", "--commit", "no-such-thing")
    assert (bad.returncode, bad.stderr) == (
        2,
        "agentgov: --commit no-such-thing: not a commit in this repository\n",
    )
    assert not (setup.clone / ".git" / "agentgov" / "journal" / "cli-tester.jsonl").exists()


def test_forget_is_recorded_and_the_next_judgement_starts_afresh(setup: Setup) -> None:
    done = agentgov(setup.clone, "policy", "forget")
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        f"forgot commit {setup.reviewed[:12]} on refs/remotes/origin/main; the next judgement "
        "reads the default branch as a fresh clone would; recorded in the journal as session "
        "cli-tester\n"
    )
    assert not memory_file(setup.clone).exists()
    [record] = journal(setup.clone, "cli-tester")
    assert (record["kind"], record["event"]) == ("policy", "forget")
    assert record["detail"] == {
        "before": {
            "ref": "refs/remotes/origin/main",
            "commit": setup.reviewed,
            "policy_sha256": read_memory_hash(setup),
        },
        "after": {},
    }


def read_memory_hash(setup: Setup) -> str:
    import hashlib

    blob = git(setup.clone, "cat-file", "blob", f"{setup.reviewed}:.agentgov/policy.yaml")
    return hashlib.sha256(blob.encode()).hexdigest()


@pytest.mark.parametrize("marker", ["CLAUDECODE", "AGENTGOV_AGENT"])
def test_accept_and_forget_refuse_to_run_in_an_agent_session(setup: Setup, marker: str) -> None:
    for verb in ("accept", "forget"):
        done = agentgov(setup.clone, "policy", verb, env=person_env(**{marker: "1"}))
        assert done.returncode == 1
        assert done.stderr == (
            f"agentgov: agentgov policy {verb} moves the policy in force, and this is an agent "
            f"session ({marker} is set): a person runs it in their own terminal\n"
        )
    assert memory_file(setup.clone).is_file()


def test_policy_show_json_says_where_the_policy_came_from(setup: Setup) -> None:
    git(setup.clone, "update-ref", "refs/remotes/origin/main", setup.old)
    done = agentgov(setup.clone, "policy", "show", "--format", "json")
    assert done.returncode == 1
    source = json.loads(done.stdout)["source"]
    assert {k: source[k] for k in ("origin", "ref", "commit", "remembered", "tip")} == {
        "origin": "branch",
        "ref": "refs/remotes/origin/main",
        "commit": setup.reviewed,
        "remembered": setup.reviewed,
        "tip": setup.old,
    }
    assert source["refusal"].startswith("refused: refs/remotes/origin/main now points at")


# --- the agent's own attempts, through the real hook ------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        "git update-ref refs/remotes/origin/main {old}",
        "git symbolic-ref refs/remotes/origin/HEAD refs/remotes/origin/agent",
        "git fetch origin +refs/heads/agent:refs/remotes/origin/main",
        "git branch -f main {old}",
        "git remote set-url origin /tmp/forged.git",
        "echo {old} > .git/refs/remotes/origin/main",
        "rm -rf .git/agentgov",
        "agentgov policy accept",
        "python -m agentgov policy forget",
        "sh -c 'env .venv/bin/agentgov policy accept'",
    ],
)
def test_the_hook_denies_the_agent_moving_the_policy(setup: Setup, command: str) -> None:
    text = command.format(old=setup.old)
    done = run_hook(setup.clone, payload("pre-bash", setup.clone, command=text))
    assert done.returncode == 0, done.stderr
    decision, reason = verdict(done)
    assert decision == "deny"
    assert "guard.tamper" in reason


# --- guards while the policy in force is refused -----------------------------------------


def judged(clone: Path, command: str) -> tuple[str, str]:
    from agentgov.adapters.local_context import place
    from agentgov.adapters.policy_refusal import under_refusal
    from agentgov.engine import evaluate
    from agentgov.subjects import ShellCommand

    found = policy_in_force(clone)
    placement = place(found.policy, clone, environ={})
    decision = evaluate(ShellCommand(command), found.policy, placement.context)
    held = under_refusal(decision, found)
    return held.verdict.value, held.reason


def test_while_refused_pushes_are_denied_and_say_why(setup: Setup) -> None:
    git(setup.clone, "checkout", "-q", "-b", "topic")
    assert judged(setup.clone, "git push origin topic")[0] == "ask"  # level 2: publishing asks
    git(setup.clone, "update-ref", "refs/remotes/origin/main", setup.old)
    verdict_now, reason = judged(setup.clone, "git push origin topic")
    assert verdict_now == "deny"
    assert reason.endswith(
        f"the policy in force is refused: refs/remotes/origin/main now points at "
        f"{setup.old[:12]}, which has no .agentgov/policy.yaml; the remembered policy stays "
        "in force; if a person moved it on purpose, they run `agentgov policy accept` (or "
        "`agentgov policy forget`)"
    )
    assert judged(setup.clone, "git status") == ("allow", "git status: reads only")
    assert judged(setup.clone, "git push --force origin main")[0] == "deny"


def test_an_invalid_policy_merged_later_is_an_error_and_not_remembered(setup: Setup) -> None:
    from agentgov.errors import PolicyError

    (setup.upstream / ".agentgov" / "policy.yaml").write_text("version: 1\ntask_classes: {}\n")
    git(setup.upstream, "commit", "-q", "-am", "broken policy")
    git(setup.upstream, "push", "-q", "origin", "main")
    git(setup.clone, "fetch", "-q")
    with pytest.raises(PolicyError) as caught:
        policy_in_force(setup.clone)
    assert caught.value.problems == (
        "origin/main:.agentgov/policy.yaml:2:1: task_classes: missing required key 'default'",
    )
    memory = read_memory(memory_file(setup.clone).parent)
    assert isinstance(memory, Memory)
    assert memory.commit == setup.reviewed


def test_the_hook_denies_pushes_while_the_policy_is_refused(setup: Setup) -> None:
    git(setup.clone, "checkout", "-q", "-b", "topic")
    # Moved by someone outside the agent (a person, a script): the hook keeps the
    # remembered policy and holds pushes back until a person accepts the move.
    git(setup.clone, "update-ref", "refs/remotes/origin/main", setup.old)
    done = run_hook(setup.clone, payload("pre-bash", setup.clone, command="git push origin topic"))
    decision, reason = verdict(done)
    assert decision == "deny"
    assert "the policy in force is refused: refs/remotes/origin/main now points at" in reason
    (record,) = [r for r in hook_journal(setup.clone) if r["kind"] == "decision"]
    assert record["detail"]["policy_refusal"].startswith("refused: refs/remotes/origin/main")
