"""git.branch-force-delete: deleting a local branch whether or not it was merged."""

from __future__ import annotations

import pytest

from agentgov.evaluators.rules.git.branch_force_delete import REMEDIATION, RULE
from agentgov.policy.model import ActionClass
from tests.rules.ruletest import context, hits

POSITIVE = [
    "git branch -D topic",
    "git branch -D topic other",
    "git branch --delete --force topic",
    "git branch --force --delete topic",
    "git branch -df topic",
    "git branch -fd topic",
    "git branch -d -f topic",
    "git branch --delete -f topic",
    "git branch -D -r origin/topic",
    "git branch -qD topic",
    "git branch --del --forc topic",
    "git update-ref -d refs/heads/topic",
    "sudo git branch -D topic",
    "/usr/bin/git branch -D topic",
    "\\git branch -D topic",
    "'git' branch -D topic",
    "bash -c 'git branch -D topic'",
    'sh -c "git branch -D topic"',
    'eval "git branch -D topic"',
    "git checkout main && git branch -D topic",
    "(git branch -D topic)",
    "git -C ../repo branch -D topic",
    "git -c advice.x=false branch -D topic",
    "echo $(git branch -D topic)",
    "B=topic; git branch -D $B",
]

NEGATIVE = [
    "git branch -d topic",
    "git branch --delete topic",
    "git branch topic",
    "git branch -f topic HEAD~1",
    "git branch -m old new",
    "git branch --list",
    "git branch -u origin/D topic",
    "git update-ref refs/heads/topic HEAD",
    "git update-ref -d refs/tags/v1",
    'echo "git branch -D topic"',
    'git commit -m "git branch -D topic"',
    "grep 'branch -D' HISTORY.md",
]


def test_tables_are_big_enough() -> None:
    assert len(POSITIVE) >= 20
    assert len(NEGATIVE) >= 10


@pytest.mark.parametrize("command", POSITIVE)
def test_flags_forced_branch_deletion(command: str) -> None:
    found = hits(RULE, command, context())
    assert found
    assert {hit.rule for hit in found} == {"git.branch-force-delete"}
    assert {hit.action_class for hit in found} == {ActionClass.IRREVERSIBLE}


@pytest.mark.parametrize("command", NEGATIVE)
def test_ignores_look_alikes(command: str) -> None:
    assert hits(RULE, command, context()) == []


def test_hit_names_the_branches() -> None:
    [hit] = hits(RULE, "git branch -D topic other", context())
    assert hit.fragment == "git branch -D topic other"
    assert hit.message.startswith("force-deletes the branch topic, other ")
    assert hit.remediation == REMEDIATION
    assert hit.remediation.startswith("delete it with git branch -d <name>")
