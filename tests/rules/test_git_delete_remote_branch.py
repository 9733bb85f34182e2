"""git.delete-remote-branch: deleting an unprotected branch on a remote."""

from __future__ import annotations

import pytest

from agentgov.evaluators.rules.git.delete_remote_branch import REMEDIATION, RULE
from agentgov.policy.model import ActionClass
from tests.rules.ruletest import context, hits

POSITIVE = [
    "git push origin --delete feature/old",
    "git push --delete origin feature/old",
    "git push -d origin topic",
    "git push origin -d topic",
    "git push origin :topic",
    "git push origin :refs/heads/topic",
    "git push origin --delete a b c",
    "git push --del origin topic",
    "git push -vd origin topic",
    "git push upstream :fix/typo",
    "sudo git push origin --delete topic",
    "/usr/local/bin/git push origin :topic",
    "\\git push -d origin topic",
    '"git" push origin --delete topic',
    "bash -c 'git push origin --delete topic'",
    'sh -c "git push origin :topic"',
    'eval "git push -d origin topic"',
    "git fetch --prune && git push origin --delete topic",
    "(git push origin :topic) || true",
    "git -C ../repo push origin --delete topic",
    "git -c push.default=simple push origin :topic",
    "B=topic; git push origin --delete $B",
    "for r in origin upstream; do git push $r --delete topic; done",
    "echo $(git push origin :topic)",
]

NEGATIVE = [
    "git push origin --delete main",
    "git push origin :release/1.0",
    "git push origin topic",
    "git push -n origin --delete topic",
    "git push origin --delete refs/tags/v1",
    "git push origin :refs/notes/commits",
    "git branch -d topic",
    "git branch -D topic",
    'echo "git push origin --delete topic"',
    'git commit -m "git push origin :topic"',
    "git push -o delete origin topic",
    "git remote prune origin",
]


def test_tables_are_big_enough() -> None:
    assert len(POSITIVE) >= 20
    assert len(NEGATIVE) >= 10


@pytest.mark.parametrize("command", POSITIVE)
def test_flags_remote_branch_deletion(command: str) -> None:
    found = hits(RULE, command, context())
    assert found
    assert {hit.rule for hit in found} == {"git.delete-remote-branch"}
    assert {hit.action_class for hit in found} == {ActionClass.IRREVERSIBLE}


@pytest.mark.parametrize("command", NEGATIVE)
def test_ignores_look_alikes(command: str) -> None:
    assert hits(RULE, command, context()) == []


def test_hit_names_the_branch() -> None:
    [hit] = hits(RULE, "git push origin :fix/typo", context())
    assert hit.fragment == "git push origin :fix/typo"
    assert hit.message.startswith("deletes the remote branch fix/typo:")
    assert hit.remediation == REMEDIATION
