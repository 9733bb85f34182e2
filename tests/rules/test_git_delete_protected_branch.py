"""git.delete-protected-branch: deleting a protected branch on a remote."""

from __future__ import annotations

import pytest

from agentgov.evaluators.rules.git.delete_protected_branch import REMEDIATION, RULE
from agentgov.policy.model import ActionClass
from tests.rules.ruletest import context, hits

POSITIVE = [
    "git push origin --delete main",
    "git push --delete origin main",
    "git push -d origin main",
    "git push origin -d master",
    "git push origin :main",
    "git push origin :refs/heads/main",
    "git push origin --delete release/1.0",
    "git push origin :release/2.3",
    "git push origin --delete feature/a main",
    "git push origin feature/a :main",
    "git push --del origin main",
    "git push -qd origin main",
    "git push --all --prune origin",
    "git push --prune origin 'refs/heads/*:refs/heads/*'",
    "sudo git push origin --delete main",
    "/usr/bin/git push origin :main",
    "\\git push -d origin main",
    "'git' push origin :main",
    "bash -c 'git push origin --delete main'",
    'sh -c "git push origin :master"',
    'eval "git push -d origin main"',
    "echo `git push origin :main`",
    "git fetch && git push origin --delete main",
    "(git push origin :main)",
    "git -C ../other push origin --delete main",
    "git -c core.askPass=true push origin :main",
    "env GIT_SSH_COMMAND=ssh git push origin --delete main",
    "B=main; git push origin --delete $B",
    "git -c alias.rmb='push --delete' rmb origin main",
]

NEGATIVE = [
    "git push origin --delete feature/old",
    "git push origin :feature/old",
    "git push origin main",
    "git push -n origin --delete main",
    "git push origin --delete refs/tags/v1.0",
    "git branch -d main",
    "git push origin main:main",
    'echo "git push origin --delete main"',
    "grep 'push origin :main' notes.txt",
    'git commit -m "git push origin :main"',
    "printf 'git push -d origin main\\n'",
    "git push -o d origin main",
]


def test_tables_are_big_enough() -> None:
    assert len(POSITIVE) >= 20
    assert len(NEGATIVE) >= 10


@pytest.mark.parametrize("command", POSITIVE)
def test_flags_deletion_of_protected_branch(command: str) -> None:
    found = hits(RULE, command, context())
    assert found
    assert {hit.rule for hit in found} == {"git.delete-protected-branch"}
    assert {hit.action_class for hit in found} == {ActionClass.FORBIDDEN}


@pytest.mark.parametrize("command", NEGATIVE)
def test_ignores_look_alikes(command: str) -> None:
    assert hits(RULE, command, context()) == []


def test_hit_names_the_branch_and_keeps_the_fragment() -> None:
    [hit] = hits(RULE, "true && git push origin :refs/heads/release/1.0", context())
    assert hit.fragment == "git push origin :refs/heads/release/1.0"
    assert "the protected branch release/1.0" in hit.message
    assert hit.remediation == REMEDIATION
