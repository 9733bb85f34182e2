"""``agentgov policy accept`` and ``forget``: a person moves or drops the remembered policy.

The clone's memory of the policy in force (``policy/in_force_memory.py``) only moves
forward by itself. When a person really means to move it (the default branch was renamed,
or rewritten on the remote) or to drop it, they say so with one of these commands, and the
act is recorded in the audit journal as a ``policy`` record under the session
``cli-<user>``, so the trail shows who moved the policy in force, from what, to what.

An agent must not run them: ``guard.tamper`` refuses the command line, and the commands
themselves refuse to run inside an agent session (``CLAUDECODE``, ``AGENTGOV_AGENT``...).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentgov.adapters.git_hooks.agent_session import agent_marker
from agentgov.audit.journal import Journal
from agentgov.errors import AgentgovError, ExitCode
from agentgov.git_layout import find_repo
from agentgov.policy.in_force import MemoryChange, accept_policy, forget_policy
from agentgov.policy.in_force_memory import Memory, Unreadable

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class AgentRefused(AgentgovError):
    """Run inside an agent's session: only a person may do this."""

    exit_code = ExitCode.VIOLATION


def refuse_agents(
    what: str,
    environ: Mapping[str, str],
    who: str = "a person runs it in their own terminal",
) -> None:
    """Raise ``AgentRefused`` inside an agent session; ``what`` names the command and what
    it does (``agentgov kill --release lifts the kill switch``), ``who`` who runs it."""
    marker = agent_marker(environ)
    if marker is not None:
        raise AgentRefused(f"{what}, and this is an agent session ({marker} is set): {who}")


@dataclass(frozen=True)
class Recorded:
    """What the command changed and the journal session it was recorded under."""

    change: MemoryChange
    session: str


def cli_session(environ: Mapping[str, str]) -> str:
    """``cli-<user>``: the journal session of a person's own commands."""
    import getpass

    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = environ.get("USER", "") or "unknown"
    return "cli-" + (_UNSAFE.sub("-", user).strip("-.") or "unknown")


def _describe(memory: Memory | Unreadable | None) -> dict[str, Any]:
    if isinstance(memory, Memory):
        return {"ref": memory.ref, "commit": memory.commit, "policy_sha256": memory.policy}
    if isinstance(memory, Unreadable):
        return {"unreadable": memory.reason}
    return {}


def _record(start: Path, event: str, change: MemoryChange, environ: Mapping[str, str]) -> str:
    layout = find_repo(start)
    assert layout is not None  # accept/forget found it already
    session = cli_session(environ)
    fields: dict[str, Any] = {
        "source": "cli",
        "kind": "policy",
        "event": event,
        "detail": {"before": _describe(change.before), "after": _describe(change.after)},
    }
    if change.after is not None:
        fields["commit"] = change.after.commit
        fields["policy"] = f"{change.label}@{change.after.commit[:12]}"
    Journal(layout.state_dir).append(session, fields)
    return session


def accept(start: Path, revision: str | None, environ: Mapping[str, str] = os.environ) -> Recorded:
    refuse_agents("agentgov policy accept moves the policy in force", environ)
    change = accept_policy(start, revision)
    return Recorded(change, _record(start, "accept", change, environ))


def forget(start: Path, environ: Mapping[str, str] = os.environ) -> Recorded:
    refuse_agents("agentgov policy forget moves the policy in force", environ)
    change = forget_policy(start)
    return Recorded(change, _record(start, "forget", change, environ))


def accepted_text(done: Recorded) -> str:
    after = done.change.after
    assert after is not None
    before = done.change.before
    was = (
        f"commit {before.commit[:12]} on {before.ref}"
        if isinstance(before, Memory)
        else "an unreadable memory"
        if isinstance(before, Unreadable)
        else "nothing"
    )
    return (
        f"policy in force: {done.change.label} at {after.commit[:12]} (was {was}); "
        f"recorded in the journal as session {done.session}"
    )


def forgotten_text(done: Recorded) -> str:
    before = done.change.before
    if before is None:
        what = "nothing was remembered"
    elif isinstance(before, Memory):
        what = f"forgot commit {before.commit[:12]} on {before.ref}"
    else:
        what = "forgot an unreadable memory"
    return (
        f"{what}; the next judgement reads the default branch as a fresh clone would; "
        f"recorded in the journal as session {done.session}"
    )
