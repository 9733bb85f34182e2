"""Whether a git hook runs inside an agent's session, and whether the hook rules apply to it.

A git hook cannot see who typed the command, only the environment it inherited. Claude Code
exports ``CLAUDECODE=1`` and ``CLAUDE_CODE_ENTRYPOINT`` to every command its Bash tool runs;
other agents (or a wrapper script) say so with ``AGENTGOV_AGENT=1``. A person's own terminal
has none of them. The policy's ``git_hooks.apply_to`` then says whether the protected-branch
rules hold for everyone (the default) or only for agents.
"""

from __future__ import annotations

from collections.abc import Mapping

from agentgov.policy.model import GuardScope

_TRUE = frozenset({"1", "true", "yes", "on"})


def agent_marker(environ: Mapping[str, str]) -> str | None:
    """The variable that marks an agent session (for messages), or None for a person."""
    if environ.get("AGENTGOV_AGENT", "").strip().lower() in _TRUE:
        return "AGENTGOV_AGENT"
    if environ.get("CLAUDECODE", "").strip().lower() in _TRUE:
        return "CLAUDECODE"
    if environ.get("CLAUDE_CODE_ENTRYPOINT", "").strip():
        return "CLAUDE_CODE_ENTRYPOINT"
    return None


def rules_apply(scope: GuardScope, environ: Mapping[str, str]) -> bool:
    """True when the git hooks' refusals hold for whoever is pushing in ``environ``."""
    return scope is GuardScope.EVERYONE or agent_marker(environ) is not None
