"""What a guard does while the policy in force is refused (docs/policy.md).

When the default branch's ref was moved to a commit that does not descend from the one this
clone remembers (or has no policy, or is gone), ``policy_in_force`` keeps the remembered
policy and says why in ``refusal``. Guards keep judging by that policy, and also deny what
would carry the swap further: publishing and irreversible actions (pushes among them) are
denied until a person repairs the ref or runs ``agentgov policy accept``. Every decision
that is not an allow says why, so the agent can tell the user.
"""

from __future__ import annotations

from dataclasses import replace

from agentgov.engine import Decision
from agentgov.policy.in_force import PolicyInForce
from agentgov.policy.model import ActionClass, Verdict

HELD_BACK = frozenset({ActionClass.PUBLISH, ActionClass.IRREVERSIBLE})
REMEDIATION = (
    "tell the user that the policy in force was refused; they check the default branch's "
    "refs (`agentgov policy show`) and, if the move was theirs, run `agentgov policy accept`"
)


def under_refusal(decision: Decision, found: PolicyInForce) -> Decision:
    """``decision`` as it stands while ``found.refusal`` holds (unchanged when it does not)."""
    held_back = decision.action_class in HELD_BACK
    if not found.refusal or (decision.verdict is Verdict.ALLOW and not held_back):
        return decision
    why = f"the policy in force is {found.refusal}"
    reason = f"{decision.reason}; {why}" if decision.reason else why
    if held_back:
        return replace(
            decision,
            verdict=Verdict.DENY,
            reason=reason,
            remediation=decision.remediation or REMEDIATION,
        )
    return replace(decision, reason=reason)
