"""The policy in force comes from the default branch's commit, not the editable working copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentgov.errors import PolicyError
from agentgov.policy.in_force import policy_in_force
from agentgov.policy.model import Level
from tests.conftest import git

POLICY = """version: 1
task_classes:
  default:
    level: {level}
"""


def write_policy(repo: Path, level: int) -> None:
    (repo / ".agentgov").mkdir(exist_ok=True)
    (repo / ".agentgov" / "policy.yaml").write_text(POLICY.format(level=level))


def commit_policy(repo: Path, level: int) -> None:
    write_policy(repo, level)
    git(repo, "add", ".agentgov/policy.yaml")
    git(repo, "commit", "-q", "-m", f"policy level {level}")


def test_outside_a_repository_the_default_template_applies(tmp_path: Path) -> None:
    found = policy_in_force(tmp_path)
    assert found.origin == "template"
    assert found.note == "not inside a git repository: the default template applies"


def test_repository_without_policy_uses_template(repo: Path) -> None:
    found = policy_in_force(repo)
    assert (found.origin, found.label) == ("template", "<template default>")
    assert "run `agentgov init`" in found.note


def test_uncommitted_policy_is_in_force_and_says_so(repo: Path) -> None:
    write_policy(repo, 4)
    found = policy_in_force(repo)
    assert found.origin == "working-copy"
    assert found.policy.task_class("default").level is Level.EXECUTE_SANDBOXED
    assert found.note == (
        "refs/heads/main has no committed policy yet: the working copy is in force"
    )


def test_committed_policy_wins_over_an_edited_working_copy(repo: Path) -> None:
    commit_policy(repo, 2)
    write_policy(repo, 5)
    found = policy_in_force(repo)
    assert found.origin == "branch"
    assert found.ref == "refs/heads/main"
    assert found.commit == git(repo, "rev-parse", "HEAD").strip()
    assert found.policy.task_class("default").level is Level.PROPOSE
    assert found.working_copy_differs
    assert found.note == "the working copy differs: it is a proposal until merged"


def test_policy_on_another_branch_is_a_proposal(repo: Path) -> None:
    commit_policy(repo, 2)
    git(repo, "checkout", "-q", "-b", "agent/raise")
    commit_policy(repo, 5)
    found = policy_in_force(repo)
    assert found.policy.task_class("default").level is Level.PROPOSE
    assert found.label == "main:.agentgov/policy.yaml"


def test_remote_tracking_branch_wins_over_local_main(repo: Path, tmp_path: Path) -> None:
    commit_policy(repo, 2)
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(remote))
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(remote), str(clone))
    git(clone, "config", "user.email", "a@example.com")
    git(clone, "config", "user.name", "A")
    commit_policy(clone, 5)  # an agent commits to its local main
    found = policy_in_force(clone)
    assert found.ref == "refs/remotes/origin/main"
    assert found.policy.task_class("default").level is Level.PROPOSE


def test_branch_moves_are_seen(repo: Path) -> None:
    commit_policy(repo, 2)
    assert policy_in_force(repo).policy.task_class("default").level is Level.PROPOSE
    commit_policy(repo, 3)
    assert policy_in_force(repo).policy.task_class("default").level is Level.EXECUTE_GATED


def test_packed_refs_are_read(repo: Path) -> None:
    commit_policy(repo, 4)
    git(repo, "pack-refs", "--all")
    assert not (repo / ".git" / "refs" / "heads" / "main").exists()
    assert policy_in_force(repo).origin == "branch"


def test_invalid_committed_policy_is_an_error_naming_the_branch(repo: Path) -> None:
    (repo / ".agentgov").mkdir()
    (repo / ".agentgov" / "policy.yaml").write_text("version: 1\ntask_classes: {}\n")
    git(repo, "add", ".agentgov/policy.yaml")
    git(repo, "commit", "-q", "-m", "broken policy")
    with pytest.raises(PolicyError) as caught:
        policy_in_force(repo)
    assert caught.value.problems == (
        "main:.agentgov/policy.yaml:2:1: task_classes: missing required key 'default'",
    )


def test_worktree_reads_the_shared_policy(repo: Path, tmp_path: Path) -> None:
    commit_policy(repo, 2)
    worktree = tmp_path / "wt"
    git(repo, "worktree", "add", "-q", "-b", "topic", str(worktree))
    found = policy_in_force(worktree)
    assert (found.origin, found.ref) == ("branch", "refs/heads/main")
