"""The pure judgement of ref updates: a table of (update, ancestry, guard) -> refusal."""

from __future__ import annotations

from dataclasses import replace

import pytest

from agentgov.adapters.git_hooks.protect import (
    Ancestry,
    PushGuard,
    judge_push,
    judge_update,
    needs_ancestry,
)
from agentgov.adapters.git_hooks.push_updates import RefUpdate
from agentgov.policy.model import RuleMode

A = "a" * 40
B = "b" * 40
Z = "0" * 40
GUARD = PushGuard(protected=("main", "release/*"), applies=True, notes_ref="refs/notes/agentgov")
FF, REWRITE, UNKNOWN, NONE = (
    Ancestry.FAST_FORWARD,
    Ancestry.REWRITE,
    Ancestry.REMOTE_UNKNOWN,
    Ancestry.NOT_CHECKED,
)


def update(remote_ref: str, local: str = A, remote: str = B) -> RefUpdate:
    return RefUpdate("x", local, remote_ref, remote)


@pytest.mark.parametrize(
    ("item", "ancestry", "guard", "rule"),
    [
        # protected branches
        (update("refs/heads/main"), FF, GUARD, None),
        (update("refs/heads/main"), REWRITE, GUARD, "git.force-push-protected"),
        (update("refs/heads/main"), UNKNOWN, GUARD, "git.force-push-protected"),
        (update("refs/heads/main", local=Z), NONE, GUARD, "git.delete-protected-branch"),
        (update("refs/heads/main", remote=Z), NONE, GUARD, None),
        (update("refs/heads/release/2.0"), REWRITE, GUARD, "git.force-push-protected"),
        (update("refs/heads/release/2.0/x"), REWRITE, GUARD, None),
        # unprotected branches
        (update("refs/heads/feature"), REWRITE, GUARD, None),
        (update("refs/heads/feature", local=Z), NONE, GUARD, None),
        # mirror: an existing protected branch is forced, even when it fast-forwards
        (
            update("refs/heads/main"),
            FF,
            replace(GUARD, mirror="git push --mirror"),
            "git.force-push-protected",
        ),
        (update("refs/heads/main", remote=Z), NONE, replace(GUARD, mirror="m"), None),
        (update("refs/heads/topic"), REWRITE, replace(GUARD, mirror="m"), None),
        # tags: created freely, never moved or deleted once the remote has them
        (update("refs/tags/v1", remote=Z), NONE, GUARD, None),
        (update("refs/tags/v1"), NONE, GUARD, "git.force-push-protected"),
        (update("refs/tags/v1", local=Z), NONE, GUARD, "git.force-push-protected"),
        # the audit trail
        (update("refs/notes/agentgov"), FF, GUARD, None),
        (update("refs/notes/agentgov", remote=Z), NONE, GUARD, None),
        (update("refs/notes/agentgov"), REWRITE, GUARD, "guard.tamper"),
        (update("refs/notes/agentgov"), UNKNOWN, GUARD, "guard.tamper"),
        (update("refs/notes/agentgov", local=Z), NONE, GUARD, "guard.tamper"),
        (update("refs/notes/other"), REWRITE, GUARD, None),
        # apply_to: agents, and a person pushes
        (update("refs/heads/main"), REWRITE, replace(GUARD, applies=False), None),
        (update("refs/tags/v1", local=Z), NONE, replace(GUARD, applies=False), None),
        # rule modes: off skips, guard.tamper cannot be turned off
        (update("refs/heads/main"), REWRITE, replace(GUARD, force_mode=RuleMode.OFF), None),
        (update("refs/heads/main", local=Z), NONE, replace(GUARD, delete_mode=RuleMode.OFF), None),
        (
            update("refs/notes/agentgov"),
            REWRITE,
            replace(GUARD, force_mode=RuleMode.OFF),
            "guard.tamper",
        ),
    ],
)
def test_judgement(item: RefUpdate, ancestry: Ancestry, guard: PushGuard, rule: str | None) -> None:
    refusal = judge_update(item, ancestry, guard, "origin")
    assert (refusal.rule if refusal else None) == rule
    if refusal is not None:
        assert refusal.remote_ref == item.remote_ref
        assert not refusal.shadow


def test_shadow_mode_reports_without_enforcing() -> None:
    guard = replace(GUARD, force_mode=RuleMode.SHADOW)
    refusal = judge_update(update("refs/heads/main"), REWRITE, guard, "origin")
    assert refusal is not None
    assert (refusal.rule, refusal.shadow) == ("git.force-push-protected", True)


@pytest.mark.parametrize(
    ("item", "refused"),
    [
        (update("refs/heads/main"), True),
        (update("refs/heads/main", remote=Z), True),
        (update("refs/heads/main", local=Z), True),
        (update("refs/heads/master"), True),
        (update("refs/heads/release/1"), True),
        (update("refs/heads/feature"), False),
        (update("refs/heads/feature", local=Z), False),
    ],
)
def test_an_unreadable_policy_refuses_every_update_of_a_default_protected_branch(
    item: RefUpdate, refused: bool
) -> None:
    guard = PushGuard(
        protected=("main", "master", "release/*"),
        applies=True,
        notes_ref="refs/notes/agentgov",
        policy_problem="policy.yaml:3:1: bad",
    )
    refusal = judge_update(item, FF, guard, "origin")
    assert (refusal is not None) == refused
    if refusal is not None:
        assert refusal.rule is None
        assert "the policy in force cannot be read (policy.yaml:3:1: bad)" in refusal.message


def test_messages_name_the_branch_the_remote_and_the_safe_alternative() -> None:
    refusal = judge_update(update("refs/heads/main"), REWRITE, GUARD, "upstream")
    assert refusal is not None
    assert refusal.message == (
        "force-push to the protected branch main on upstream: bbbbbbbbbbbb there is not an "
        "ancestor of aaaaaaaaaaaa, so commits others pushed would be dropped and review bypassed"
    )
    assert refusal.remediation == (
        "push your commits to a new branch and open a pull request: git push upstream "
        "HEAD:refs/heads/<topic>; or build on main first: git pull --rebase upstream main"
    )
    unknown = judge_update(update("refs/heads/main"), UNKNOWN, GUARD, "origin")
    assert unknown is not None
    assert unknown.remediation.startswith("fetch first (git fetch origin)")


def test_an_implied_deletion_says_what_implies_it() -> None:
    item = RefUpdate("(delete)", Z, "refs/heads/main", B, implied="git push --mirror: why")
    refusal = judge_update(item, NONE, GUARD, "origin")
    assert refusal is not None
    assert "deleting the protected branch main on origin (git push --mirror: why)" in (
        refusal.message
    )


def test_ancestry_is_asked_only_where_a_rule_needs_it() -> None:
    assert needs_ancestry(update("refs/heads/main"), GUARD)
    assert needs_ancestry(update("refs/notes/agentgov"), GUARD)
    assert not needs_ancestry(update("refs/heads/feature"), GUARD)
    assert not needs_ancestry(update("refs/heads/main", local=Z), GUARD)
    assert not needs_ancestry(update("refs/heads/main", remote=Z), GUARD)
    assert not needs_ancestry(update("refs/tags/v1"), GUARD)
    assert not needs_ancestry(update("refs/heads/main"), replace(GUARD, applies=False))


def test_a_push_is_judged_ref_by_ref_in_git_order() -> None:
    items = (
        update("refs/heads/feature"),
        update("refs/heads/main"),
        update("refs/tags/v1", local=Z),
    )
    refusals = judge_push(items, {items[1]: REWRITE}, GUARD, "origin")
    assert [r.remote_ref for r in refusals] == ["refs/heads/main", "refs/tags/v1"]
