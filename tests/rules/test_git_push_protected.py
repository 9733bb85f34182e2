"""git.push-protected: a plain push straight to a protected branch."""

from __future__ import annotations

import pytest

from agentgov.evaluators.rules.git.push_protected import REMEDIATION, RULE
from agentgov.policy.model import ActionClass
from tests.rules.ruletest import context, hits

FEATURE = "feature/x"

POSITIVE = [
    ("git push", "main"),
    ("git push origin", "master"),
    ("git push origin main", FEATURE),
    ("git push origin HEAD:main", FEATURE),
    ("git push origin HEAD", "main"),
    ("git push origin @", "main"),
    ("git push origin feature:main", FEATURE),
    ("git push origin refs/heads/main", FEATURE),
    ("git push origin HEAD:refs/heads/main", FEATURE),
    ("git push origin release/1.0", FEATURE),
    ("git push -u origin main", FEATURE),
    ("git push --set-upstream origin main", FEATURE),
    ("git push --all origin", FEATURE),
    ("git push --atomic origin feature/x main", FEATURE),
    ("git push origin main --follow-tags", FEATURE),
    ("sudo git push origin main", FEATURE),
    ("/usr/bin/git push origin main", FEATURE),
    ("\\git push origin main", FEATURE),
    ("g''it push origin main", FEATURE),
    ("bash -c 'git push origin main'", FEATURE),
    ('sh -c "git push origin HEAD:main"', FEATURE),
    ('eval "git push"', "main"),
    ("git add . && git commit -m wip && git push origin main", FEATURE),
    ("git -C /code/project push origin main", FEATURE),
    ("git -c http.sslVerify=true push origin main", FEATURE),
    ("timeout 30 git push origin main", FEATURE),
    ("cd sub && git push", "main"),
    ("X=$(git push origin main)", FEATURE),
    ("git -c remote.origin.push=HEAD:main push", FEATURE),
]

NEGATIVE = [
    ("git push", FEATURE),
    ("git push origin feature/x", FEATURE),
    ("git push origin HEAD:refs/heads/topic", "main"),
    ("git push -u origin HEAD:feature/new", "main"),
    ("git push -f origin main", FEATURE),
    ("git push origin +main", FEATURE),
    ("git push origin :main", FEATURE),
    ("git push -n origin main", FEATURE),
    ("git push --dry-run", "main"),
    ("git push --tags", "main"),
    ("git push origin v1.0.0:refs/tags/v1.0.0", FEATURE),
    ("git push origin tag main", FEATURE),
    ("git push", None),
    ('echo "git push origin main"', FEATURE),
    ('git commit -m "git push origin main"', FEATURE),
    ("git pull origin main", FEATURE),
]


def test_tables_are_big_enough() -> None:
    assert len(POSITIVE) >= 20
    assert len(NEGATIVE) >= 10


@pytest.mark.parametrize(("command", "branch"), POSITIVE)
def test_flags_push_to_protected(command: str, branch: str | None) -> None:
    found = hits(RULE, command, context(branch=branch))
    assert found
    assert {hit.rule for hit in found} == {"git.push-protected"}
    assert {hit.action_class for hit in found} == {ActionClass.IRREVERSIBLE}


@pytest.mark.parametrize(("command", "branch"), NEGATIVE)
def test_ignores_look_alikes(command: str, branch: str | None) -> None:
    assert hits(RULE, command, context(branch=branch)) == []


def test_bare_push_on_a_protected_branch() -> None:
    [hit] = hits(RULE, "git push", context(branch="main"))
    assert hit.fragment == "git push"
    assert hit.message == "pushes straight to the protected branch main, bypassing review"
    assert hit.remediation == REMEDIATION
    assert hit.remediation == (
        "push to a topic branch and open a pull request: git push origin HEAD:refs/heads/<topic>"
    )
