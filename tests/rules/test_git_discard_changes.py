"""git.discard-changes: overwriting uncommitted edits in the working tree."""

from __future__ import annotations

import pytest

from agentgov.evaluators.rules.git.discard_changes import REMEDIATION, RULE
from agentgov.policy.model import ActionClass
from tests.rules.ruletest import context, hits

POSITIVE = [
    "git checkout -- src/app.py",
    "git checkout -- .",
    "git checkout .",
    "git checkout HEAD -- src/app.py",
    "git checkout main -- docs/",
    "git checkout HEAD~2 src/app.py",
    "git checkout README.md",
    "git checkout 'src/*.py'",
    "git checkout -f",
    "git checkout -f main",
    "git checkout --force feature/x",
    "git checkout --theirs -- conflicted.txt",
    "git checkout --pathspec-from-file=paths.txt",
    "git restore src/app.py",
    "git restore .",
    "git restore --worktree src/app.py",
    "git restore -SW src/app.py",
    "git restore --staged --worktree .",
    "git restore --source=HEAD~1 src/app.py",
    "git restore -s main -- docs",
    "git switch --discard-changes main",
    "git switch -f main",
    "git switch --force release/1.0",
    "sudo git checkout -- .",
    "/usr/bin/git restore .",
    "\\git checkout -- .",
    "'git' checkout -- src",
    "bash -c 'git checkout -- .'",
    'sh -c "git restore ."',
    'eval "git checkout ."',
    "git stash list && git checkout -- .",
    "(cd src && git checkout -- app.py)",
    "git -C sub restore .",
    "git -c core.autocrlf=false checkout -- .",
    "echo $(git restore src)",
]

NEGATIVE = [
    "git checkout main",
    "git checkout feature/x",
    "git checkout release/1.0",
    "git checkout v1.2.3",
    "git checkout -",
    "git checkout -b topic",
    "git checkout -b topic origin/main",
    "git checkout -B topic",
    "git restore --staged src/app.py",
    "git restore -S .",
    "git switch main",
    "git switch -c topic",
    "git checkout-index --help",
    'echo "git checkout -- ."',
    'git commit -m "git restore ."',
    "grep -rn 'git checkout .' docs",
]


def test_tables_are_big_enough() -> None:
    assert len(POSITIVE) >= 20
    assert len(NEGATIVE) >= 10


@pytest.mark.parametrize("command", POSITIVE)
def test_flags_discarded_edits(command: str) -> None:
    found = hits(RULE, command, context())
    assert found
    assert {hit.rule for hit in found} == {"git.discard-changes"}
    assert {hit.action_class for hit in found} == {ActionClass.IRREVERSIBLE}


@pytest.mark.parametrize("command", NEGATIVE)
def test_ignores_look_alikes(command: str) -> None:
    assert hits(RULE, command, context()) == []


def test_remediation_saves_the_edits_first() -> None:
    [hit] = hits(RULE, "git restore src/app.py", context())
    assert hit.fragment == "git restore src/app.py"
    assert hit.message.startswith("git restore overwrites uncommitted edits")
    assert hit.remediation == REMEDIATION
    assert hit.remediation.startswith("save the edits first (git stash push -- <paths>")
