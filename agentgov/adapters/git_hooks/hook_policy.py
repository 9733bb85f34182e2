"""The policy a git hook judges by: the one in force, or why it cannot be read.

Hooks fail closed without failing everything: an unreadable policy must not stop a person
committing or pushing a feature branch (that is how the fix reaches review), but it must
stop what the policy exists to protect. So a hook gets either the policy or the problem,
never an exception, and decides per rule what "unknown" means.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agentgov.errors import AgentgovError, PolicyError
from agentgov.policy.model import Policy

DEFAULT_NOTES_REF = "refs/notes/agentgov"


@dataclass(frozen=True)
class HookPolicy:
    """``policy`` is None exactly when ``problem`` says why it could not be read."""

    policy: Policy | None
    problem: str | None = None
    label: str = ""


def load_hook_policy(root: Path) -> HookPolicy:
    from agentgov.policy.in_force import policy_in_force

    try:
        found = policy_in_force(root)
    except PolicyError as err:
        shown = list(err.problems[:3])
        if len(err.problems) > 3:
            shown.append(f"and {len(err.problems) - 3} more")
        return HookPolicy(None, "; ".join(shown) or "invalid policy")
    except AgentgovError as err:
        return HookPolicy(None, str(err))
    return HookPolicy(found.policy, None, found.label)
