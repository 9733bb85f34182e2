"""The audit trail's part in ordinary git use: the calls into ``agentgov.audit`` that the
hooks make, and the few decisions that belong to a hook rather than to the audit layer.

- post-commit: move the journal's pending records into a note on the new commit
  (``audit.flush.flush_journal``).
- post-rewrite: union each old commit's note into its new commit's
  (``NotesStore.copy_notes``). ``agentgov install git`` also sets ``notes.rewriteRef``
  (``audit.history.configure_rewrite``) so git copies them itself; the copy here makes the
  trail follow even where that configuration is missing, and adds nothing twice.
- pre-push: park the records still pending on the pushed commit (``park``), then share
  the trail with the remote the user pushes to (``audit.sync.push``: fetch into
  ``refs/notes/remotes/<remote>/``, merge, push without force), so the same ``git push``
  carries every record made so far. That push passes ``--no-verify``, so it does not run
  this pre-push hook again.
- SessionEnd (Claude Code): ``agentgov hook park session-end``, detached, parks the
  session's pending records on HEAD.

Parked records did not lead to the commit they are attached to: they were written after
it. ``park`` marks them (a ``session``/``parked`` record per session naming the seqs it
covers, ``audit.journal.parking``), so evidence never counts that commit as the agent's.

A failure here never blocks the commit or the push it rides along with: records that did
not move stay in the journal or the local notes, and the next hook (or
``agentgov audit flush`` / ``agentgov audit push``) moves them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from agentgov.git_layout import find_repo, read_ref, run_git


@dataclass(frozen=True)
class TrailPush:
    """What sharing the trail did: ``pushed`` is the notes commit the remote now holds;
    ``skipped`` says why nothing was sent (empty when something was)."""

    pushed: str | None = None
    skipped: str = ""


def flush_onto(root: Path, ref: str, commit: str = "HEAD") -> int:
    """Move pending journal records into the note of ``commit``; the number moved."""
    from agentgov.audit.flush import flush_journal

    layout = find_repo(root)
    if layout is None:
        return 0
    return flush_journal(layout, ref, commit).moved


def park(root: Path, ref: str, by: str, commit: str = "HEAD", source: str = "git") -> int:
    """Move pending records into the note of ``commit`` (a commit that already existed
    when they were written), each session's marked ``parked`` there; the number moved,
    markers included."""
    from agentgov.audit.flush import flush_journal
    from agentgov.audit.git_process import resolve_commit
    from agentgov.audit.journal import parking

    layout = find_repo(root)
    if layout is None:
        return 0
    target = resolve_commit(layout.root, commit)
    if target is None:
        return 0  # no commit yet: the records wait for the first one
    marker = {"source": source, "commit": target, "detail": {"by": by}}
    with parking(marker):
        return flush_journal(layout, ref, target).moved


def copy_rewritten(root: Path, ref: str, pairs: Sequence[tuple[str, str]]) -> str | None:
    """Union the notes of rewritten commits into their replacements; the notes commit
    written, or None when every note was already there (or there were none)."""
    if not pairs:
        return None
    layout = find_repo(root)
    if layout is None or _tip(root, ref) is None:
        return None  # no trail yet: nothing to carry, and no pygit2 import for it
    from agentgov.audit.notes import NotesStore

    return NotesStore(root, ref).copy_notes(pairs).notes_commit


def push_trail(root: Path, ref: str, remote: str) -> TrailPush:
    """Share the trail with ``remote`` unless there is nothing new to share."""
    from agentgov.audit.sync import push, tracking_ref

    local = _tip(root, ref)
    if local is None:
        return TrailPush(skipped="no audit trail in this clone yet")
    if _tip(root, tracking_ref(ref, remote)) == local:
        return TrailPush(skipped=f"{remote} already has this clone's trail")
    names = (run_git(root, "remote") or b"").decode("utf-8", "replace").split()
    if remote not in names:
        return TrailPush(
            skipped=f"{remote} is not a named remote; share the trail with "
            "`agentgov audit push <remote>`"
        )
    _never_prompt(root)
    result = push(root, ref, remote)
    if result.already_there:
        return TrailPush(skipped=f"{remote} already has this clone's trail")
    return TrailPush(pushed=result.pushed)


def _tip(root: Path, ref: str) -> str | None:
    layout = find_repo(root)
    if layout is None:
        return None
    if not layout.reftable:
        return read_ref(layout, ref)
    out = run_git(root, "rev-parse", "--verify", "--quiet", ref)
    return out.decode().strip() or None if out else None


def _never_prompt(root: Path) -> None:
    """The nested push must fail rather than ask for a password or a passphrase: nobody
    answers a hook. It runs in this short-lived hook process, so setting the process's
    own environment is the way to reach the audit layer's git calls."""
    os.environ["GIT_TERMINAL_PROMPT"] = "0"
    if "GIT_SSH_COMMAND" in os.environ or "GIT_SSH" in os.environ:
        return
    if run_git(root, "config", "--get", "core.sshCommand"):
        return
    os.environ["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"
