"""git.force-push-protected: force-pushes that can rewrite a protected branch."""

from __future__ import annotations

from dataclasses import replace

import pytest

from agentgov.evaluators.rules.git.force_push_protected import REMEDIATION, RULE
from agentgov.evaluators.shell.analyze import analyze
from agentgov.policy.model import ActionClass
from tests.rules.ruletest import context, default_policy, hits

FEATURE = "feature/x"

# (command, current branch)
POSITIVE = [
    ("git push -f", "main"),
    ("git push --force", "master"),
    ("git push -f origin", "main"),
    ("git push --force origin main", FEATURE),
    ("git push origin main --force", FEATURE),
    ("git push -f origin HEAD:main", FEATURE),
    ("git push origin +main", FEATURE),
    ("git push origin +HEAD:main", FEATURE),
    ("git push origin +HEAD", "main"),
    ("git push origin +refs/heads/main:refs/heads/main", FEATURE),
    ("git push --force-with-lease origin main", FEATURE),
    ("git push --force-with-lease=main:abc123 origin main", FEATURE),
    ("git push --force-if-includes --force-with-lease origin main", FEATURE),
    ("git push --force-w origin main", FEATURE),
    ("git push -fu origin main", FEATURE),
    ("git push -uf origin main", FEATURE),
    ("git push -vfq origin main", FEATURE),
    ("git push --mirror", FEATURE),
    ("git push --mirror git@example.com:org/repo.git", FEATURE),
    ("git push --all --force origin", FEATURE),
    ("git push -f origin feature:release/1.0", FEATURE),
    ("git push origin +feature:master", FEATURE),
    ("sudo git push -f origin main", FEATURE),
    ("/usr/bin/git push -f origin main", FEATURE),
    ("\\git push -f origin main", FEATURE),
    ("'gi't push -f origin main", FEATURE),
    ("/usr/lib/git-core/git-push -f origin main", FEATURE),
    ("bash -c 'git push --force origin main'", FEATURE),
    ('sh -c "git push -f origin main"', FEATURE),
    ('eval "git push -f origin main"', FEATURE),
    ("echo $(git push -f origin main)", FEATURE),
    ("(cd /code/project && git push -f origin main)", FEATURE),
    ("make test && git push --force origin main", FEATURE),
    ("git -C /code/project push -f origin main", FEATURE),
    ("git -c push.default=current push -f", "main"),
    ("git --no-pager push -v -q --force origin main", FEATURE),
    ("env GIT_TRACE=1 git push -f origin main", FEATURE),
    ("timeout 60 git push -f origin main", FEATURE),
    ("xargs git push -f", "main"),
    ("B=main; git push -f origin $B", FEATURE),
    ("F=-f; git push $F origin main", FEATURE),
    ("git -c alias.yolo='push --force' yolo origin main", FEATURE),
    ("git -c remote.origin.push=+HEAD:main push", FEATURE),
    ("git -c remote.origin.mirror=true push origin", FEATURE),
    ("for remote in origin upstream; do git push -f $remote main; done", FEATURE),
]

NEGATIVE = [
    ("git push -f origin feature/x", FEATURE),
    ("git push --force", FEATURE),
    ("git push -f", None),
    ("git push origin main", FEATURE),
    ("git push -n -f origin main", FEATURE),
    ("git push --dry-run --force origin main", FEATURE),
    ("git push -of origin main", FEATURE),
    ("git push --forc origin main", FEATURE),
    ("git push -f origin main:feature/main-copy", FEATURE),
    ("git push origin +feature/y", FEATURE),
    ("git push --delete origin main", FEATURE),
    ("git push -f --tags origin", FEATURE),
    ("git push -f origin refs/tags/v1.0", FEATURE),
    ("git fetch -f origin main:main", FEATURE),
    ('echo "git push -f origin main"', FEATURE),
    ("grep -rn 'git push --force' docs/", FEATURE),
    ('git commit -m "git push --force origin main"', FEATURE),
    ("printf '%s\\n' 'git push -f origin main'", FEATURE),
    ("man git-push | grep -- --force-with-lease", FEATURE),
    ('git push -f origin "$BRANCH"', FEATURE),
]


def test_tables_are_big_enough() -> None:
    assert len(POSITIVE) >= 20
    assert len(NEGATIVE) >= 10


@pytest.mark.parametrize(("command", "branch"), POSITIVE)
def test_flags_force_push_to_protected(command: str, branch: str | None) -> None:
    found = hits(RULE, command, context(branch=branch))
    assert found
    assert {hit.rule for hit in found} == {"git.force-push-protected"}
    assert {hit.action_class for hit in found} == {ActionClass.FORBIDDEN}


@pytest.mark.parametrize(("command", "branch"), NEGATIVE)
def test_ignores_look_alikes(command: str, branch: str | None) -> None:
    assert hits(RULE, command, context(branch=branch)) == []


def test_fragment_keeps_wrappers_and_remediation_is_a_topic_branch() -> None:
    [hit] = hits(RULE, "sudo git push -f origin main", context(branch=FEATURE))
    assert hit.fragment == "sudo git push -f origin main"
    assert hit.remediation == REMEDIATION
    assert hit.remediation == (
        "push your commits to a new branch and open a pull request: "
        "git push origin HEAD:refs/heads/<topic>"
    )
    assert hit.message.startswith("force-push to the protected branch main:")


def test_fragment_of_a_shell_string_is_the_inner_command() -> None:
    [hit] = hits(RULE, "bash -c 'git push --force origin release/1.0'", context())
    assert hit.fragment == "git push --force origin release/1.0"
    assert "the protected branch release/1.0" in hit.message


def test_mirror_counts_whatever_the_branches() -> None:
    policy = replace(default_policy(), protected_branches=())
    [hit] = hits(RULE, "git push --mirror backup", context(policy=policy))
    assert "--mirror" in hit.message


def test_protection_comes_from_the_policy() -> None:
    policy = replace(default_policy(), protected_branches=("trunk",))
    assert hits(RULE, "git push -f origin main", context(policy=policy)) == []
    assert hits(RULE, "git push -f origin trunk", context(policy=policy))
    assert (
        hits(RULE, "git push --all -f", context(policy=replace(policy, protected_branches=())))
        == []
    )


def test_alternating_analyses_and_branches_do_not_leak_between_calls() -> None:
    # The git readers keep the last analysis's reading; alternate to prove it is keyed right.
    on_main = context(branch="main")
    on_feature = context(branch=FEATURE)
    bare = analyze("git push -f", cwd=on_main.cwd, home=on_main.home)
    other = analyze("git push -f origin feature/y", cwd=on_main.cwd, home=on_main.home)
    for _ in range(2):
        assert list(RULE.evaluate(bare, on_main))
        assert not list(RULE.evaluate(bare, on_feature))
        assert not list(RULE.evaluate(other, on_main))
