"""Judge the ref updates of a push against the policy: pure, no git, no I/O.

What a pre-push hook refuses (``git.*`` ids are the catalogue's; their policy mode is kept:
``shadow`` reports "would refuse" and lets the push through, ``off`` skips the rule):

- ``git.delete-protected-branch``: deleting a protected branch on the remote. pre-commit's
  own pre-push stage skips exactly these updates (local id of zeros), so this check must
  run outside it. Deletions that ``--mirror`` or ``--prune`` make of branches this clone
  lacks are not listed to the hook at all; ``push_facts`` finds them (``implied``).
- ``git.force-push-protected``: an update of a protected branch that is not a fast-forward
  (the remote's commit is not an ancestor of the pushed one), or whose remote commit this
  clone has never seen (it cannot be shown to be a fast-forward: fetch first); any update
  of an existing protected branch by ``git push --mirror``, which forces every ref; and
  moving or deleting a tag the remote already has (a published tag is a promise: a release
  built from it must stay reproducible).
- ``guard.tamper``: rewriting or deleting the audit trail's notes ref on the remote, and
  pushing notes commits that remove or change a line an earlier notes commit held (a
  forged note is a fast-forward of the notes ref; its history shows it). It cannot be
  turned off.

The facts that need git (is the remote commit known, is it an ancestor) arrive as an
``Ancestry`` per update, computed at the edge by ``push_facts``.

When the policy in force cannot be read, ``PushGuard.policy_problem`` holds why: every
update of a branch matching the default protected globs (main, master, release/*) is then
refused, fast-forwards included, because nothing says what is protected or for whom; other
branches go through, so work can still be pushed for review.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from agentgov.adapters.git_hooks.push_updates import RefUpdate
from agentgov.policy.globs import match_branch
from agentgov.policy.model import RuleMode

if TYPE_CHECKING:
    from agentgov.audit.notes_history import LostLine

FORCE_PUSH = "git.force-push-protected"
DELETE_BRANCH = "git.delete-protected-branch"
TAMPER = "guard.tamper"


class Ancestry(Enum):
    """How the pushed commit relates to the one the remote has."""

    FAST_FORWARD = "fast-forward"
    REWRITE = "rewrite"
    REMOTE_UNKNOWN = "remote-unknown"
    """The remote's commit is not in this clone: whether the push drops it is unknowable."""
    NOT_CHECKED = "not-checked"
    """A creation, a deletion, or an update no rule needs the answer for."""


@dataclass(frozen=True)
class PushGuard:
    """Everything besides the updates that the judgement depends on.

    ``applies`` is False when the policy limits the git hook rules to agent sessions and
    this push comes from a person. ``mirror`` says how a ``--mirror`` push was recognised
    (None when it was not).
    """

    protected: tuple[str, ...]
    applies: bool
    notes_ref: str
    mirror: str | None = None
    force_mode: RuleMode = RuleMode.ENFORCE
    delete_mode: RuleMode = RuleMode.ENFORCE
    policy_problem: str | None = None


@dataclass(frozen=True)
class Refusal:
    """One update the push must not make. ``rule`` is None when the policy itself is
    unreadable; ``shadow`` marks a rule in shadow mode (reported, not enforced)."""

    rule: str | None
    remote_ref: str
    message: str
    remediation: str
    shadow: bool = False


def needs_ancestry(update: RefUpdate, guard: PushGuard) -> bool:
    """Whether judging ``update`` needs to know if it is a fast-forward."""
    if update.deletion or update.creation or not guard.applies:
        return False
    if update.remote_ref == guard.notes_ref:
        return True
    return update.branch is not None and _protected(update.branch, guard)


def judge_push(
    updates: tuple[RefUpdate, ...],
    ancestry: Mapping[RefUpdate, Ancestry],
    guard: PushGuard,
    remote: str,
) -> tuple[Refusal, ...]:
    """Every refusal for the push, in the order git listed the updates."""
    found: list[Refusal] = []
    for update in updates:
        refusal = judge_update(update, ancestry.get(update, Ancestry.NOT_CHECKED), guard, remote)
        if refusal is not None:
            found.append(refusal)
    return tuple(found)


def judge_update(
    update: RefUpdate, ancestry: Ancestry, guard: PushGuard, remote: str
) -> Refusal | None:
    if not guard.applies:
        return None
    if update.remote_ref == guard.notes_ref:
        return _judge_notes(update, ancestry, guard)
    if update.tag is not None:
        return _judge_tag(update, update.tag, guard)
    branch = update.branch
    if branch is None or not _protected(branch, guard):
        return None
    if guard.policy_problem is not None:
        return Refusal(
            None,
            update.remote_ref,
            f"{_verb(update)} of {branch} on {remote} refused: the policy in force cannot be "
            f"read ({guard.policy_problem}), so every update of a branch it would protect by "
            "default (main, master, release/*) is refused",
            "fix .agentgov/policy.yaml on the default branch (`agentgov validate` shows "
            f"where); meanwhile push to a new branch and open a pull request: "
            f"git push {remote} HEAD:refs/heads/<topic>",
        )
    if update.deletion:
        return _rule(
            DELETE_BRANCH,
            guard.delete_mode,
            update,
            f"deleting the protected branch {branch} on {remote}{_because(update)}: the "
            "branch everyone builds on, and the review it stands for, would be gone",
            f"leave {branch} in place; merge or revert work through a pull request, and ask a "
            "maintainer if the branch protection itself should change",
        )
    if guard.mirror is not None and not update.creation:
        return _rule(
            FORCE_PUSH,
            guard.force_mode,
            update,
            f"a mirror push ({guard.mirror}) force-updates every ref, including the "
            f"protected branch {branch} on {remote}",
            f"push the branches you changed by name (git push {remote} <branch>), and "
            "protected ones through a pull request",
        )
    if ancestry is Ancestry.REWRITE:
        return _rule(
            FORCE_PUSH,
            guard.force_mode,
            update,
            f"force-push to the protected branch {branch} on {remote}: "
            f"{_short(update.remote_oid)} there is not an ancestor of {_short(update.local_oid)}, "
            "so commits others pushed would be dropped and review bypassed",
            f"push your commits to a new branch and open a pull request: git push {remote} "
            f"HEAD:refs/heads/<topic>; or build on {branch} first: "
            f"git pull --rebase {remote} {branch}",
        )
    if ancestry is Ancestry.REMOTE_UNKNOWN:
        return _rule(
            FORCE_PUSH,
            guard.force_mode,
            update,
            f"push to the protected branch {branch} on {remote} may rewrite it: the remote "
            f"has {_short(update.remote_oid)}, which this clone has never fetched, so this "
            "cannot be shown to be a fast-forward",
            f"fetch first (git fetch {remote}), build on {branch} "
            f"(git pull --rebase {remote} {branch}) and push again; or push to a new branch "
            f"and open a pull request: git push {remote} HEAD:refs/heads/<topic>",
        )
    return None


def _judge_tag(update: RefUpdate, tag: str, guard: PushGuard) -> Refusal | None:
    if update.creation:
        return None
    how = "deleting" if update.deletion else "moving"
    return _rule(
        FORCE_PUSH,
        guard.force_mode,
        update,
        f"{how} the published tag {tag}{_because(update)}: builds and releases made from a "
        "published tag must stay reproducible, so it is never moved or deleted",
        f"leave {tag} as it is and tag the new commit with a new name "
        "(for a release, the next version)",
    )


def _judge_notes(update: RefUpdate, ancestry: Ancestry, guard: PushGuard) -> Refusal | None:
    if update.creation or ancestry is Ancestry.FAST_FORWARD:
        return None
    if update.deletion:
        what = f"deleting the audit trail {update.remote_ref} on the remote"
    elif ancestry is Ancestry.REMOTE_UNKNOWN:
        what = (
            f"replacing the audit trail {update.remote_ref} on the remote with a history "
            "that may not contain it (the remote's trail was never fetched here)"
        )
    else:
        what = f"rewriting the audit trail {update.remote_ref} on the remote"
    return Refusal(
        TAMPER,
        update.remote_ref,
        f"{what}: the trail is append-only evidence",
        "share the trail with `agentgov audit push`, which merges the remote's records "
        "before pushing and never forces",
    )


def judge_notes_history(update: RefUpdate, lost: Sequence[LostLine]) -> Refusal | None:
    """Refuse a notes push whose new notes commits take lines away from the trail."""
    if not lost:
        return None
    first = lost[0]
    commits = sorted({item.notes_commit for item in lost})
    place = first.record
    what = (
        f"session {place[0]} seq {place[1]}"
        if place is not None
        else f"line {first.line} of the note"
    )
    how = "changes" if first.replaced_by is not None else "removes"
    others = f" and {len(lost) - 1} more line(s)" if len(lost) > 1 else ""
    named = ", ".join(_short(commit) for commit in commits)
    return Refusal(
        TAMPER,
        update.remote_ref,
        f"rewriting the audit trail {update.remote_ref}: notes commit {_short(first.notes_commit)} "
        f"{how} {what} on {_short(first.annotated)}{others}, which its parent "
        f"{_short(first.parent)} held (notes commits that take lines away: {named}); the "
        "trail is append-only evidence, and a notes commit may only add lines",
        "`agentgov audit verify` names every line taken away; drop those notes commits "
        f"(reset {update.remote_ref} to the last good one) and share the trail with "
        "`agentgov audit push`",
    )


def _rule(
    rule: str, mode: RuleMode, update: RefUpdate, message: str, remediation: str
) -> Refusal | None:
    if mode is RuleMode.OFF:
        return None
    return Refusal(rule, update.remote_ref, message, remediation, shadow=mode is RuleMode.SHADOW)


def _protected(branch: str, guard: PushGuard) -> bool:
    return match_branch(branch, guard.protected)


def _verb(update: RefUpdate) -> str:
    if update.deletion:
        return "deletion"
    return "creation" if update.creation else "update"


def _because(update: RefUpdate) -> str:
    return f" ({update.implied})" if update.implied else ""


def _short(oid: str) -> str:
    return oid[:12]
