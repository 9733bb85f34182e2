"""git.reset-hard: git reset --hard, --merge and --keep."""

from __future__ import annotations

import pytest

from agentgov.evaluators.rules.git.reset_hard import REMEDIATION, RULE
from agentgov.policy.model import ActionClass
from tests.rules.ruletest import context, hits

POSITIVE = [
    "git reset --hard",
    "git reset --hard HEAD",
    "git reset --hard HEAD~3",
    "git reset --hard origin/main",
    "git reset origin/main --hard",
    "git reset -q --hard",
    "git reset --ha HEAD~1",
    "git reset --merge ORIG_HEAD",
    "git reset --keep HEAD^",
    "git reset --hard --recurse-submodules",
    "sudo git reset --hard",
    "/usr/bin/git reset --hard",
    "\\git reset --hard",
    "'git' 'reset' '--hard'",
    "bash -c 'git reset --hard'",
    'sh -c "git reset --hard HEAD~1"',
    'eval "git reset --hard"',
    "git fetch && git reset --hard origin/main",
    "(cd sub && git reset --hard)",
    "git -C ../other reset --hard",
    "git -c core.quotepath=off reset --hard",
    "nice git reset --hard",
    "echo $(git reset --hard)",
    "R=--hard; git reset $R",
    "git -c alias.nuke='reset --hard' nuke",
]

NEGATIVE = [
    "git reset",
    "git reset --soft HEAD~1",
    "git reset --mixed HEAD~1",
    "git reset HEAD file.txt",
    "git reset -- file.txt",
    "git reset -p",
    "git reset --m HEAD",
    'echo "git reset --hard"',
    'git commit -m "git reset --hard"',
    "grep -n 'reset --hard' CHANGELOG.md",
    "git log --grep='reset --hard'",
    "git stash",
]


def test_tables_are_big_enough() -> None:
    assert len(POSITIVE) >= 20
    assert len(NEGATIVE) >= 10


@pytest.mark.parametrize("command", POSITIVE)
def test_flags_hard_reset(command: str) -> None:
    found = hits(RULE, command, context())
    assert found
    assert {hit.rule for hit in found} == {"git.reset-hard"}
    assert {hit.action_class for hit in found} == {ActionClass.IRREVERSIBLE}


@pytest.mark.parametrize("command", NEGATIVE)
def test_ignores_look_alikes(command: str) -> None:
    assert hits(RULE, command, context()) == []


def test_remediation_keeps_the_work() -> None:
    [hit] = hits(RULE, "git fetch && git reset --hard origin/main", context())
    assert hit.fragment == "git reset --hard origin/main"
    assert hit.remediation == REMEDIATION
    assert hit.remediation.startswith("keep the work first: git stash push")
