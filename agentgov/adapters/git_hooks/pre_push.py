"""The pre-push hook: refuse what must not reach the remote, then share the audit trail.

Order, and why:

1. Parse git's stdin (every ref of the push). A malformed line refuses the push (exit 2).
2. Judge every update (``protect``); any enforced refusal stops here with exit 1. A push
   of the trail's notes ref must also only add lines: its new notes commits are compared
   with their parents (``audit.notes_history``). agentgov
   goes first because a refusal is cheap and final: a push that will be refused should not
   first run a team's slow checks or upload LFS objects.
3. Run the hook agentgov's install found in place (``<hook>.pre-agentgov``) with the same
   arguments and stdin; its failure refuses the push with its own exit status. In
   pre-commit framework mode that hook is pre-commit's script, which runs the team's
   pre-push hooks, agentgov's ``agentgov-protect`` among them.
4. Share the audit trail with the same remote, but only once everything passed, and never
   for a push that only moves notes refs (the nested push itself, or a person pushing the
   trail by hand). A failure there is a warning: the code push goes ahead.

``framework_pre_push`` is the same judgement for pre-commit's pre-push stage, which sees
one ref per push and never a deletion; see ``push_updates.FrameworkPush``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from agentgov.adapters.git_hooks import push_facts
from agentgov.adapters.git_hooks.agent_session import rules_apply
from agentgov.adapters.git_hooks.chain import run_chained
from agentgov.adapters.git_hooks.hook_io import HookIO
from agentgov.adapters.git_hooks.hook_policy import DEFAULT_NOTES_REF, HookPolicy
from agentgov.adapters.git_hooks.hook_report import refusal_text
from agentgov.adapters.git_hooks.protect import (
    DELETE_BRANCH,
    FORCE_PUSH,
    Ancestry,
    PushGuard,
    Refusal,
    judge_notes_history,
    judge_push,
)
from agentgov.adapters.git_hooks.push_updates import (
    MalformedPushInput,
    RefUpdate,
    framework_push,
    parse_updates,
)
from agentgov.adapters.git_hooks.trail import push_trail
from agentgov.errors import AgentgovError, ExitCode, UsageError
from agentgov.policy.build import DEFAULT_PROTECTED_BRANCHES

OUTER_HOOK_ENV = "AGENTGOV_OUTER_PRE_PUSH"
"""Set for the chained hook: an agentgov pre-push is running outside it and will share the
audit trail itself, so ``agentgov-protect`` inside pre-commit need not push it again. It
only ever saves a push of the trail; it never skips a check."""


def push_guard(found: HookPolicy, environ: Mapping[str, str], mirror: str | None) -> PushGuard:
    policy = found.policy
    if policy is None:
        return PushGuard(
            protected=DEFAULT_PROTECTED_BRANCHES,
            applies=True,
            notes_ref=DEFAULT_NOTES_REF,
            mirror=mirror,
            policy_problem=found.problem or "unreadable",
        )
    return PushGuard(
        protected=policy.protected_branches,
        applies=rules_apply(policy.git_hooks_scope, environ),
        notes_ref=policy.audit.notes_ref,
        mirror=mirror,
        force_mode=policy.rule_mode(FORCE_PUSH),
        delete_mode=policy.rule_mode(DELETE_BRANCH),
    )


def judge(
    root: Path, remote: str, updates: tuple[RefUpdate, ...], found: HookPolicy, io: HookIO
) -> tuple[Refusal, ...]:
    """Gather the facts git knows and judge the push (the I/O around ``protect``).

    Raises RemoteUnreadable when a mirror or pruning push needs the remote's refs listed
    and they cannot be.
    """
    if not updates or not push_guard(found, io.environ, None).applies:
        return ()
    flags = push_facts.push_flags(root, remote, push_facts.ancestor_argvs())
    guard = push_guard(found, io.environ, flags.mirror)
    if flags.mirror or flags.prune:
        listed = frozenset(update.remote_ref for update in updates)
        remote_refs = push_facts.remote_refs(root, remote)
        local = push_facts.local_refs(root)
        updates += push_facts.implied_deletions(remote_refs, local, flags, listed)
    facts = push_facts.ancestries(root, updates, guard)
    return judge_push(updates, facts, guard, remote) + _trail_history(root, updates, facts, guard)


def _trail_history(
    root: Path,
    updates: tuple[RefUpdate, ...],
    facts: Mapping[RefUpdate, Ancestry],
    guard: PushGuard,
) -> tuple[Refusal, ...]:
    """Refusals for notes pushes that are fast-forwards (or new) but whose new notes
    commits take lines away; a push that is not a fast-forward is refused already."""
    found: list[Refusal] = []
    for update in updates:
        if update.remote_ref != guard.notes_ref or update.deletion or not guard.applies:
            continue
        if not update.creation and facts.get(update) is not Ancestry.FAST_FORWARD:
            continue
        refusal = judge_notes_history(update, push_facts.trail_lost_lines(root, update))
        if refusal is not None:
            found.append(refusal)
    return tuple(found)


def _refused(refusals: tuple[Refusal, ...], remote: str, io: HookIO) -> bool:
    if refusals:
        io.err.write(refusal_text(f"push to {remote}", refusals))
    return any(not item.shadow for item in refusals)


def git_pre_push(
    root: Path, hook_dir: Path, args: Sequence[str], found: HookPolicy, io: HookIO
) -> int:
    """git's pre-push hook, args ``<remote name> <remote url>``."""
    if len(args) < 2:
        raise UsageError(
            "pre-push expects git's two arguments (<remote name> <remote url>); this hook "
            "is run by git push, not by hand"
        )
    remote = args[0]
    try:
        updates = parse_updates(io.stdin.decode("utf-8", "surrogateescape"))
    except MalformedPushInput as err:
        io.err.write(f"agentgov: {err}\n")
        return int(ExitCode.USAGE)
    try:
        refusals = judge(root, remote, updates, found, io)
    except push_facts.RemoteUnreadable as err:
        return _unreadable(
            remote, "list its branches and tags to see what this push deletes", err, io
        )
    if _refused(refusals, remote, io):
        return int(ExitCode.VIOLATION)
    chained = run_chained(hook_dir, "pre-push", args, io.stdin, {**io.environ, OUTER_HOOK_ENV: "1"})
    if chained.note:
        io.err.write(f"agentgov: {chained.note}\n")
    if chained.returncode != 0:
        return chained.returncode
    if updates and not all(update.notes for update in updates):
        pushed = [u.local_oid for u in updates if not u.deletion and not u.notes]
        _share_trail(root, remote, pushed, found, io)
    return int(ExitCode.OK)


def framework_pre_push(root: Path, found: HookPolicy, io: HookIO) -> int:
    """``agentgov-protect`` at pre-commit's pre-push stage (``hook pre-commit protect``)."""
    push = framework_push(io.environ)
    if push is None:
        io.err.write("agentgov: no push described by pre-commit's environment; nothing to check\n")
        return int(ExitCode.OK)
    remote = push.remote_name or push.remote_url
    local = push.to_ref or push_facts.resolve(root, push.local_ref)
    if local is None:
        raise UsageError(
            f"cannot tell which commit is pushed to {push.remote_ref} (pre-commit gave "
            f"local branch {push.local_ref!r} and no PRE_COMMIT_TO_REF); the push is refused"
        )
    zero = "0" * len(local)
    guard = push_guard(found, io.environ, None)
    remote_oid = push.from_ref or zero
    if guard.applies and _needs_remote_truth(push.remote_ref, guard):
        try:
            remote_oid = push_facts.remote_oid(root, remote, push.remote_ref, zero)
        except push_facts.RemoteUnreadable as err:
            return _unreadable(remote, f"read {push.remote_ref} there", err, io)
    if remote_oid == local:
        return int(ExitCode.OK)  # the remote already has it: nothing changes
    update = RefUpdate(push.local_ref or "HEAD", local, push.remote_ref, remote_oid)
    try:
        refusals = judge(root, remote, (update,), found, io)
    except push_facts.RemoteUnreadable as err:
        return _unreadable(
            remote, "list its branches and tags to see what this push deletes", err, io
        )
    if _refused(refusals, remote, io):
        return int(ExitCode.VIOLATION)
    if not io.environ.get(OUTER_HOOK_ENV):
        # Without agentgov's pre-push in front, pre-commit would let deletions through
        # unseen: refuse until it is installed (docs/git-hooks.md).
        from agentgov.adapters.git_hooks.framework_wrapper import missing_wrapper

        problem = missing_wrapper(root, "push")
        if problem is not None:
            io.err.write(f"agentgov: {problem}\n")
            return int(ExitCode.VIOLATION)
    if not io.environ.get(OUTER_HOOK_ENV) and push.remote_name and not update.notes:
        _share_trail(root, push.remote_name, [push.to_ref] if push.to_ref else [], found, io)
    return int(ExitCode.OK)


def _unreadable(remote: str, what: str, err: Exception, io: HookIO) -> int:
    io.err.write(
        f"agentgov: push to {remote} refused: cannot {what} ({err}), so what it changes "
        "there is unknown; check that the remote is reachable and push again\n"
    )
    return int(ExitCode.VIOLATION)


def _needs_remote_truth(remote_ref: str, guard: PushGuard) -> bool:
    from agentgov.policy.globs import match_branch

    if remote_ref == guard.notes_ref or remote_ref.startswith("refs/tags/"):
        return True
    branch = remote_ref.removeprefix("refs/heads/")
    return remote_ref.startswith("refs/heads/") and match_branch(branch, guard.protected)


def _share_trail(
    root: Path, remote: str, pushed: Sequence[str], found: HookPolicy, io: HookIO
) -> None:
    """Park the records still pending on the pushed commit (one of ``pushed``), then push
    the notes ref, so this one ``git push`` gives the remote the whole trail so far.

    The pushed commit rather than HEAD: the remote receives it in this same push, so every
    clone that fetches the trail can resolve the note (a note on a local-only HEAD names a
    commit no other clone has, and ``git notes prune`` there would drop it). A push of the
    current branch carries HEAD, and then the two agree; a push of several refs prefers
    HEAD among them, else the first; one that only deletes parks on HEAD.
    """
    from agentgov.adapters.git_hooks.trail import park
    from agentgov.audit.git_process import resolve_commit

    if found.policy is None:
        io.err.write(
            "agentgov: the audit trail was not pushed: the policy in force cannot be read, "
            "so its notes ref is unknown\n"
        )
        return
    ref = found.policy.audit.notes_ref
    try:
        commits = [c for c in (resolve_commit(root, oid) for oid in pushed) if c is not None]
        head = resolve_commit(root, "HEAD")
        target = head if head in commits or not commits else commits[0]
        if target is not None:
            park(root, ref, "pre-push", target)
    except AgentgovError as err:
        io.err.write(
            "agentgov: the records made since the last commit were not moved into notes "
            f"({err}); they stay in the journal; run `agentgov audit flush` later\n"
        )
    try:
        shared = push_trail(root, ref, remote)
    except AgentgovError as err:
        io.err.write(
            f"agentgov: the audit trail was not pushed to {remote} ({err}); the push goes "
            f"ahead; run `agentgov audit push {remote}` later\n"
        )
        return
    if shared.pushed:
        io.err.write(f"agentgov: audit trail {ref} pushed to {remote}\n")
