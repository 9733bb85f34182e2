"""git.stash-destroy: git stash drop and git stash clear."""

from __future__ import annotations

import pytest

from agentgov.evaluators.rules.git.stash_destroy import REMEDIATION, RULE
from agentgov.policy.model import ActionClass
from tests.rules.ruletest import context, hits

POSITIVE = [
    "git stash drop",
    "git stash drop stash@{0}",
    "git stash drop -q stash@{2}",
    "git stash drop 1",
    "git stash clear",
    "sudo git stash clear",
    "/usr/bin/git stash drop",
    "\\git stash clear",
    "'git' stash 'drop'",
    "g\\it stash clear",
    "bash -c 'git stash clear'",
    'sh -c "git stash drop"',
    'eval "git stash drop stash@{1}"',
    "git stash list && git stash clear",
    "git stash apply && git stash drop",
    "(git stash drop)",
    "git -C sub stash clear",
    "git -c core.pager=cat stash drop",
    "env GIT_PAGER=cat git stash clear",
    "echo $(git stash clear)",
    "for i in 1 2; do git stash drop; done",
    "S=clear; git stash $S",
    "git -c alias.sc='stash clear' sc",
]

NEGATIVE = [
    "git stash",
    "git stash push -m wip",
    "git stash pop",
    "git stash apply stash@{0}",
    "git stash list",
    "git stash show -p stash@{0}",
    "git stash branch rescue stash@{0}",
    'echo "git stash clear"',
    'git commit -m "git stash drop"',
    "grep 'stash clear' notes.md",
    "git stash push -- drop",
]


def test_tables_are_big_enough() -> None:
    assert len(POSITIVE) >= 20
    assert len(NEGATIVE) >= 10


@pytest.mark.parametrize("command", POSITIVE)
def test_flags_destroyed_stashes(command: str) -> None:
    found = hits(RULE, command, context())
    assert found
    assert {hit.rule for hit in found} == {"git.stash-destroy"}
    assert {hit.action_class for hit in found} == {ActionClass.IRREVERSIBLE}


@pytest.mark.parametrize("command", NEGATIVE)
def test_ignores_look_alikes(command: str) -> None:
    assert hits(RULE, command, context()) == []


def test_clear_says_every_stash() -> None:
    [hit] = hits(RULE, "git stash clear", context())
    assert hit.fragment == "git stash clear"
    assert hit.message.startswith("git stash clear deletes every stash")
    assert hit.remediation == REMEDIATION
