"""post-commit: the journal's pending records become the note of the commit just made.

Those are the records of the tool calls that led to the commit. The hook only warns: git
has already made the commit, so a failure can only leave the records in the journal, where
the next hook or ``agentgov audit flush`` moves them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from agentgov.adapters.git_hooks.chain import run_chained
from agentgov.adapters.git_hooks.hook_io import HookIO
from agentgov.adapters.git_hooks.hook_policy import load_hook_policy
from agentgov.adapters.git_hooks.trail import flush_onto
from agentgov.errors import AgentgovError


def trail_ref(root: Path, io: HookIO) -> str | None:
    """The policy's notes ref; None (with a warning) when the policy cannot be read, since
    writing to a guessed ref would split the trail."""
    found = load_hook_policy(root)
    if found.policy is None:
        io.warn(
            f"the policy in force cannot be read ({found.problem}); audit records stay in "
            "the journal until it is fixed (then: agentgov audit flush)"
        )
        return None
    return found.policy.audit.notes_ref


def record_commit(root: Path, io: HookIO, ref: str | None = None) -> None:
    """Flush pending records onto HEAD, warning instead of failing."""
    ref = ref or trail_ref(root, io)
    if ref is None:
        return
    try:
        flush_onto(root, ref, "HEAD")
    except AgentgovError as err:
        io.warn(f"audit records were not moved into notes ({err}); run agentgov audit flush")


def git_post_commit(root: Path, hook_dir: Path, args: Sequence[str], io: HookIO) -> int:
    record_commit(root, io)
    return run_chained(hook_dir, "post-commit", args, None, io.environ).returncode


def framework_audit(root: Path, io: HookIO) -> int:
    """``agentgov-audit`` under pre-commit, at its post-commit and post-rewrite stages.

    pre-commit gives its post-rewrite hooks no stdin, so the old-to-new pairs are unknown
    there; git's own ``notes.rewriteRef`` (set by ``agentgov install git``) carries the
    notes, and this flushes what is pending onto the new HEAD.
    """
    record_commit(root, io)
    return 0
