"""The check rules: each finding of ``agentgov check`` carries one of these ids, whose
anchor in docs/ci.md explains it; SARIF's ``tool.driver.rules`` lists them."""

from __future__ import annotations

from dataclasses import dataclass

DOCS_URL = "https://github.com/agentgov/agentgov/blob/main/docs/"
"""Where the reference is published; a rule's help URI is its anchor on a page here."""


@dataclass(frozen=True)
class CheckRule:
    id: str
    summary: str
    page: str = "ci.md"
    level: str = "error"
    """SARIF's default level: what a finding of the rule usually is."""

    @property
    def help_uri(self) -> str:
        return f"{DOCS_URL}{self.page}#{self.id}"


_ALL = (
    CheckRule("check.policy-invalid", "The policy at head does not validate."),
    CheckRule(
        "check.raise-unproven",
        "Autonomy raised without every exit criterion of the levels crossed holding on the "
        "evidence measured at base.",
    ),
    CheckRule(
        "check.loosened",
        "The policy is made more permissive: review it explicitly (an error inside an "
        "incident's cooldown).",
        level="warning",
    ),
    CheckRule(
        "check.agent-governance-edit",
        "An agent-authored commit changes the files that govern agents.",
    ),
    CheckRule(
        "check.rollback-due",
        "A rollback trigger is breached or an incident is open, and the policy does not "
        "apply the demotion.",
    ),
    CheckRule("check.audit-trail", "`agentgov audit verify` found a problem in the trail."),
)

CHECK_RULES: dict[str, CheckRule] = {rule.id: rule for rule in _ALL}
