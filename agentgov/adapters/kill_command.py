"""``agentgov kill --reason TEXT`` and ``agentgov kill --release`` (docs/evidence.md).

Engaging does two things: it writes ``.git/agentgov/kill`` (the clone's kill switch, which
the hook reads on its next call: at once, on this machine) and sets
``kill_switch.engaged: true`` with the reason in the policy working copy
``.agentgov/policy.yaml``, for a pull request that engages it repo-wide once merged.
Releasing undoes both. Each is recorded in the audit journal as a ``policy`` record
(``event: kill`` or ``release``) under the session ``cli-<user>``.

An agent may engage it (that only restricts it); it may not release it: the command
refuses inside an agent session, and ``guard.tamper`` refuses the command line.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentgov.adapters.git_hooks.agent_session import agent_marker
from agentgov.adapters.kill_switch import Kill, kills, local_kill_path
from agentgov.adapters.policy_acceptance import cli_session, refuse_agents
from agentgov.audit.journal import Journal
from agentgov.errors import AgentgovError, UsageError
from agentgov.git_layout import RepoLayout, find_repo

POLICY_FILE = Path(".agentgov") / "policy.yaml"


@dataclass(frozen=True)
class KillDone:
    """What ``kill`` changed: the clone's file, the policy working copy (None when there is
    none), the session it was recorded under, and every source still engaged after it."""

    engaged: bool
    local_file: Path
    policy_file: Path | None
    session: str
    remaining: tuple[Kill, ...]


def _layout(start: Path) -> RepoLayout:
    layout = find_repo(start)
    if layout is None:
        raise UsageError(
            "not inside a git repository: `agentgov kill` engages this clone's kill switch; "
            "for every repository, place ~/.config/agentgov/kill or /etc/agentgov/kill"
        )
    return layout


def engage(start: Path, reason: str, environ: Mapping[str, str] = os.environ) -> KillDone:
    """Engage the kill switch on this clone and propose it in the policy working copy."""
    text = " ".join(reason.split())
    if not text:
        raise UsageError("say why: agentgov kill --reason TEXT (the reason is shown to agents)")
    layout = _layout(start)
    path = local_kill_path(layout.state_dir)
    layout.state_dir.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text + "\n", encoding="utf-8")
    os.replace(temporary, path)
    policy, problem = _edit(layout, True, text)
    session = _record(layout, "kill", text, policy, environ, problem)
    if problem:
        raise UsageError(
            f"kill switch engaged on this clone ({path}), recorded as session {session}; "
            f"{POLICY_FILE} was not changed: {problem}"
        )
    return KillDone(True, path, policy, session, _remaining(layout, environ))


def release(start: Path, environ: Mapping[str, str] = os.environ) -> KillDone:
    """Release this clone's kill switch and the policy working copy's; a person only."""
    refuse_agents("agentgov kill --release lifts the kill switch", environ)
    layout = _layout(start)
    path = local_kill_path(layout.state_dir)
    path.unlink(missing_ok=True)
    policy, problem = _edit(layout, False, "")
    session = _record(layout, "release", "", policy, environ, problem)
    if problem:
        raise UsageError(
            f"kill switch released on this clone, recorded as session {session}; "
            f"{POLICY_FILE} was not changed: {problem}"
        )
    return KillDone(False, path, policy, session, _remaining(layout, environ))


def _edit(layout: RepoLayout, engaged: bool, reason: str) -> tuple[Path | None, str]:
    """The policy working copy edited (None when there is none), or why it could not be."""
    from agentgov.adapters.kill_policy_edit import edit_policy_file

    policy = layout.root / POLICY_FILE
    try:
        return (policy if edit_policy_file(policy, engaged, reason) else None), ""
    except AgentgovError as err:
        return None, " ".join(str(err).split())


def _remaining(layout: RepoLayout, environ: Mapping[str, str]) -> tuple[Kill, ...]:
    from agentgov.policy.in_force import policy_in_force

    return kills(policy_in_force(layout.root).policy, layout.state_dir, environ)


def _record(
    layout: RepoLayout,
    event: str,
    reason: str,
    policy: Path | None,
    environ: Mapping[str, str],
    problem: str = "",
) -> str:
    session = cli_session(environ)
    detail: dict[str, Any] = {
        "local_file": str(local_kill_path(layout.state_dir).relative_to(layout.common_dir))
    }
    if policy is not None:
        detail["policy_working_copy"] = str(POLICY_FILE)
    if problem:
        detail["policy_problem"] = problem[:1000]
    marker = agent_marker(environ)
    if marker is not None:
        detail["agent"] = marker  # an agent engaged it (which only restricts)
    fields: dict[str, Any] = {"source": "cli", "kind": "policy", "event": event, "detail": detail}
    if reason:
        fields["reason"] = reason
    Journal(layout.state_dir).append(session, fields)
    return session


def done_text(done: KillDone) -> str:
    what = "engaged" if done.engaged else "released"
    lines = [f"kill switch {what} on this clone ({done.local_file})"]
    if done.policy_file is not None:
        change = "kill_switch.engaged: true" if done.engaged else "kill_switch.engaged: false"
        lines.append(
            f"{POLICY_FILE}: {change}; commit it and open a pull request to "
            f"{'engage' if done.engaged else 'release'} it for everyone once merged"
        )
    else:
        lines.append(f"no {POLICY_FILE} working copy: only this clone changed")
    for kill in done.remaining if not done.engaged else ():
        lines.append(f"still engaged: {kill.because}; to release: {kill.release}")
    lines.append(f"recorded in the journal as session {done.session}")
    return "\n".join(lines)
