"""git.no-verify: skipping the hooks that guard the repository."""

from __future__ import annotations

import pytest

from agentgov.evaluators.rules.git.no_verify import REMEDIATION, RULE
from agentgov.policy.model import ActionClass
from tests.rules.ruletest import context, hits

POSITIVE = [
    'git commit --no-verify -m "wip"',
    'git commit -m "wip" --no-verify',
    "git commit -n -m wip",
    "git commit -nm wip",
    'git commit -anm "wip"',
    "git commit -an -m wip",
    "git commit --amend --no-edit -n",
    "git commit --no-verif -m wip",
    "git push --no-verify",
    "git push --no-verify origin feature/x",
    "git push -u --no-verify origin HEAD",
    "git merge --no-verify feature",
    "git rebase --no-verify main",
    "git am --no-verify 0001-fix.patch",
    "git pull --no-verify origin main",
    "sudo git commit --no-verify -m x",
    "/usr/bin/git commit -n -m x",
    "\\git commit --no-verify -m x",
    "'git' commit -nm x",
    "bash -c 'git commit --no-verify -m x'",
    'sh -c "git push --no-verify"',
    'eval "git commit -n -m x"',
    "git add -A && git commit --no-verify -m x && git push",
    "(cd sub && git commit -nm x)",
    "git -C sub commit --no-verify -m x",
    "git -c user.name=bot commit --no-verify -m x",
    "env GIT_AUTHOR_NAME=bot git commit -n -m x",
    "echo $(git commit --no-verify -m x)",
    "git -c alias.ci='commit -n' ci -m x",
    "git commit -F msg.txt --no-verify",
]

NEGATIVE = [
    "git commit -m wip",
    "git commit -mn",
    'git commit -m "use --no-verify sparingly"',
    'git commit -m "git push --no-verify"',
    "git push -n origin main",
    "git merge -n feature",
    "git rebase -n main",
    "git pull -n origin main",
    "git log -n 5",
    "git am -n 0001.patch",
    "git commit --dry-run --no-verify -m x",
    "git push --dry-run --no-verify",
    "git merge --no-verify-signatures feature",
    'echo "git commit --no-verify"',
    "grep -rn -- --no-verify scripts/",
    "git cherry-pick -n abc123",
]


def test_tables_are_big_enough() -> None:
    assert len(POSITIVE) >= 20
    assert len(NEGATIVE) >= 10


@pytest.mark.parametrize("command", POSITIVE)
def test_flags_skipped_hooks(command: str) -> None:
    found = hits(RULE, command, context())
    assert found
    assert {hit.rule for hit in found} == {"git.no-verify"}
    assert {hit.action_class for hit in found} == {ActionClass.FORBIDDEN}


@pytest.mark.parametrize("command", NEGATIVE)
def test_ignores_look_alikes(command: str) -> None:
    assert hits(RULE, command, context()) == []


def test_cluster_is_reported_as_the_flag() -> None:
    [hit] = hits(RULE, 'git commit -anm "wip"', context())
    assert hit.fragment == 'git commit -anm "wip"'
    assert hit.message.startswith("git commit -n skips the pre-commit and commit-msg hooks")
    assert hit.remediation == REMEDIATION
    assert hit.remediation == (
        "run the hooks: drop --no-verify (or -n) and fix what they report; "
        "if a hook itself is wrong, change it in a reviewed commit"
    )
