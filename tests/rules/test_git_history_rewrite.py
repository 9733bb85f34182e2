"""git.history-rewrite: rewriting history or pruning what could restore it."""

from __future__ import annotations

import pytest

from agentgov.evaluators.rules.git.history_rewrite import REMEDIATION, RULE
from agentgov.policy.model import ActionClass
from tests.rules.ruletest import context, hits

POSITIVE = [
    "git filter-branch --tree-filter 'rm -f secrets.txt' HEAD",
    "git filter-branch --env-filter 'export X=1' -- --all",
    "git filter-repo --path secrets.txt --invert-paths",
    "git filter-repo --force --replace-text words.txt",
    "git reflog expire --expire=now --all",
    "git reflog expire --expire-unreachable=now --all",
    "git reflog delete HEAD@{1}",
    "git gc --prune=now",
    "git gc --aggressive --prune=now",
    "git gc --prune=all",
    "git gc --prune=NOW",
    "git -c gc.pruneExpire=now gc",
    "git prune",
    "git prune --expire=now",
    "sudo git gc --prune=now",
    "/usr/bin/git filter-branch -f HEAD",
    "\\git reflog expire --all",
    "'git' gc --prune=now",
    "bash -c 'git reflog expire --expire=now --all && git gc --prune=now'",
    'sh -c "git filter-repo --path x"',
    'eval "git gc --prune=now"',
    "(git gc --prune=now)",
    "git -C ../repo gc --prune=now",
    "git -c core.x=y filter-branch HEAD",
    "echo $(git prune)",
    "/usr/lib/git-core/git-filter-branch HEAD",
]

NEGATIVE = [
    "git gc",
    "git gc --auto",
    "git gc --prune",
    "git gc --prune=2.weeks.ago",
    "git prune -n",
    "git prune --dry-run",
    "git reflog",
    "git reflog show main",
    "git rebase -i HEAD~3",
    'echo "git filter-branch"',
    'git commit -m "git gc --prune=now"',
    "grep filter-repo docs/*.md",
]


def test_tables_are_big_enough() -> None:
    assert len(POSITIVE) >= 20
    assert len(NEGATIVE) >= 10


@pytest.mark.parametrize("command", POSITIVE)
def test_flags_rewrites_and_prunes(command: str) -> None:
    found = hits(RULE, command, context())
    assert found
    assert {hit.rule for hit in found} == {"git.history-rewrite"}
    assert {hit.action_class for hit in found} == {ActionClass.IRREVERSIBLE}


@pytest.mark.parametrize("command", NEGATIVE)
def test_ignores_look_alikes(command: str) -> None:
    assert hits(RULE, command, context()) == []


def test_each_part_of_a_chain_is_reported() -> None:
    found = hits(RULE, "git reflog expire --expire=now --all && git gc --prune=now", context())
    assert [hit.fragment for hit in found] == [
        "git reflog expire --expire=now --all",
        "git gc --prune=now",
    ]
    assert found[0].remediation == REMEDIATION
    assert "git bundle create" in REMEDIATION
