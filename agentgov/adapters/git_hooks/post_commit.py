"""post-commit: the journal's pending records become the note of the commit just made.

Those are the records of the tool calls that led to the commit. The hook only warns: git
has already made the commit, so a failure can only leave the records in the journal, where
the next hook or ``agentgov audit flush`` moves them.

When the commit is made inside an agent session (``agent_session.agent_marker``: Claude
Code's ``CLAUDECODE``/``CLAUDE_CODE_ENTRYPOINT``, or ``AGENTGOV_AGENT``), the hook first
journals that fact, so it reaches the commit's note with the other records:
``{"kind": "session", "event": "commit", "source": "git", "commit": <sha>, "branch": ...,
"detail": {"marker": <variable>}}``. Its session is this clone's git session,
``git-<clone id>`` (a random id kept in ``.git/agentgov/clone-id``): one chain per clone,
so two clones never write the same session's seqs. Evidence counts the commit the record
names as the agent's (docs/evidence.md, "Agent commits"), wherever the record lands.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agentgov.adapters.git_hooks.agent_session import agent_marker
from agentgov.adapters.git_hooks.chain import run_chained
from agentgov.adapters.git_hooks.hook_io import HookIO
from agentgov.adapters.git_hooks.hook_policy import load_hook_policy
from agentgov.adapters.git_hooks.trail import flush_onto
from agentgov.errors import AgentgovError
from agentgov.git_layout import RepoLayout, current_branch, find_repo

CLONE_ID_FILE = "clone-id"


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


def clone_session(layout: RepoLayout) -> str:
    """``git-<clone id>``: this clone's journal session for what its git hooks record."""
    path = layout.state_dir / CLONE_ID_FILE
    try:
        known = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        known = ""
    if not known:
        fresh = secrets.token_hex(8)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:  # another hook created it first: use theirs
            known = path.read_text(encoding="ascii").strip() or fresh
        else:
            with os.fdopen(handle, "w", encoding="ascii") as out:
                out.write(fresh + "\n")
            known = fresh
    return f"git-{known}"


def note_agent_commit(root: Path, io: HookIO) -> dict[str, Any] | None:
    """Journal that HEAD was just committed inside an agent session; the fields written,
    or None outside one (a person's commit) or when it could not be written (a warning)."""
    marker = agent_marker(io.environ)
    if marker is None:
        return None
    from agentgov.audit.git_process import resolve_commit
    from agentgov.audit.journal import Journal

    layout = find_repo(root)
    head = resolve_commit(root, "HEAD") if layout is not None else None
    if layout is None or head is None:
        return None
    detail = {"marker": marker}
    entrypoint = io.environ.get("CLAUDE_CODE_ENTRYPOINT", "").strip()
    if entrypoint:
        detail["entrypoint"] = entrypoint[:100]
    fields: dict[str, Any] = {
        "source": "git",
        "kind": "session",
        "event": "commit",
        "commit": head,
        "branch": current_branch(layout),
        "detail": detail,
    }
    try:
        Journal(layout.state_dir).append(clone_session(layout), fields)
    except (AgentgovError, OSError) as err:
        io.warn(f"the agent's commit {head[:12]} was not recorded ({err})")
        return None
    return fields


def git_post_commit(root: Path, hook_dir: Path, args: Sequence[str], io: HookIO) -> int:
    note_agent_commit(root, io)
    record_commit(root, io)
    return run_chained(hook_dir, "post-commit", args, None, io.environ).returncode


def framework_audit(root: Path, io: HookIO) -> int:
    """``agentgov-audit`` under pre-commit, at its post-commit and post-rewrite stages.

    pre-commit gives its post-rewrite hooks no stdin, so the old-to-new pairs are unknown
    there; git's own ``notes.rewriteRef`` (set by ``agentgov install git``) carries the
    notes, and this flushes what is pending onto the new HEAD.
    """
    note_agent_commit(root, io)
    record_commit(root, io)
    return 0
