"""git.clean-force: git clean -f deletes untracked files."""

from __future__ import annotations

import pytest

from agentgov.evaluators.rules.git.clean_force import REMEDIATION, RULE
from agentgov.policy.model import ActionClass
from tests.rules.ruletest import context, hits

POSITIVE = [
    "git clean -f",
    "git clean --force",
    "git clean -fd",
    "git clean -df",
    "git clean -xdf",
    "git clean -fdx",
    "git clean -ffdx",
    "git clean -f -d -x",
    "git clean -fX",
    "git clean -fd build/",
    "git clean -e '*.env' -fd",
    "git clean --forc -d",
    "git -c clean.requireForce=false clean -d",
    "sudo git clean -fdx",
    "/usr/bin/git clean -fd",
    "\\git clean -f",
    "'git' clean -xdf",
    "bash -c 'git clean -fdx'",
    'sh -c "git clean -f"',
    'eval "git clean -fd"',
    "git reset --hard && git clean -fdx",
    "(cd build && git clean -fdx .)",
    "git -C vendor clean -fdx",
    "echo $(git clean -fd)",
    "F=-fdx; git clean $F",
]

NEGATIVE = [
    "git clean",
    "git clean -n",
    "git clean -nd",
    "git clean --dry-run -fd",
    "git clean -nfd",
    "git clean -e -f",
    "git clean -d",
    'echo "git clean -fdx"',
    'git commit -m "git clean -fdx"',
    "grep 'clean -f' Makefile",
    "make clean",
    "git -c clean.requireForce=true clean -d",
]


def test_tables_are_big_enough() -> None:
    assert len(POSITIVE) >= 20
    assert len(NEGATIVE) >= 10


@pytest.mark.parametrize("command", POSITIVE)
def test_flags_forced_clean(command: str) -> None:
    found = hits(RULE, command, context())
    assert found
    assert {hit.rule for hit in found} == {"git.clean-force"}
    assert {hit.action_class for hit in found} == {ActionClass.IRREVERSIBLE}


@pytest.mark.parametrize("command", NEGATIVE)
def test_ignores_look_alikes(command: str) -> None:
    assert hits(RULE, command, context()) == []


def test_remediation_lists_first() -> None:
    [hit] = hits(RULE, "git clean -xdf", context())
    assert hit.fragment == "git clean -xdf"
    assert hit.remediation == REMEDIATION
    assert "git clean -n" in hit.remediation
