"""From what the checks measured to the findings ``check`` reports (pure; docs/ci.md).

Each function takes one check's results and returns its findings, with the rule id, the
severity, a message that names what was measured, and what to do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from agentgov.audit.records import Problem
from agentgov.evidence.verdicts import Judgement
from agentgov.evidence.verdicts import Verdict as CriterionVerdict
from agentgov.evidence.windows import Incident
from agentgov.gate.committed_policy import problem_location
from agentgov.gate.governance_edits import GovernanceEdit
from agentgov.gate.model import (
    ChangeKind,
    Demotion,
    Finding,
    Location,
    PolicyChange,
    Raise,
    Severity,
)
from agentgov.policy.in_force import POLICY_PATH
from agentgov.policy.model import Level
from agentgov.reporters.evidence_report import action_text, criterion_text, iso, measured_text

DAY = 86400.0
SHORT = 12


def level_words(level: int) -> str:
    return f"{int(level)} {Level(level).id}"


def judgement_words(judgement: Judgement, outcome: str = "") -> str:
    """``approval_rate >= 0.95 over 14d (min 50 samples): 0.9000 (45/50), window
    2026-11-18T..Z to 2026-12-02T..Z: fail``."""
    window = judgement.measurement.window
    return (
        f"{criterion_text(judgement)}: {measured_text(judgement)}, window "
        f"{iso(window.start)} to {iso(window.end)}: {outcome or judgement.verdict.value}"
    )


def policy_findings(problems: Sequence[str], present: bool, was_present: bool) -> list[Finding]:
    """The policy at head does not validate, or was deleted."""
    if not present and was_present:
        return [
            Finding(
                "check.policy-invalid",
                Severity.ERROR,
                f"{POLICY_PATH} is deleted at head: every clone would refuse the branch "
                "and keep the policy it remembers",
                "keep the policy file; change what it says instead",
                Location(POLICY_PATH),
            )
        ]
    found = []
    for problem in problems:
        where, message = problem_location(problem)
        found.append(
            Finding(
                "check.policy-invalid",
                Severity.ERROR,
                message,
                f"fix the policy so `agentgov validate` passes; the schema is "
                f"{POLICY_PATH.rsplit('/', 1)[0]}/policy.schema.json",
                where,
            )
        )
    return found


def raise_findings(raises: Iterable[Raise]) -> list[Finding]:
    """One error per unproven raise, naming every criterion that does not pass."""
    found = []
    for raised in raises:
        if raised.proven:
            continue
        failing = [
            f"to {level_words(level)}: {judgement_words(j)}"
            for level, judged in raised.judgements
            for j in judged
            if j.verdict is not CriterionVerdict.PASS
        ]
        evidence = (
            "its own evidence"
            if raised.evidence_class == raised.task_class
            else f"the evidence of {raised.evidence_class}"
        )
        found.append(
            Finding(
                "check.raise-unproven",
                Severity.ERROR,
                f"{raised.task_class}: level {level_words(raised.from_level)} → "
                f"{level_words(raised.to_level)} ({raised.because}) is not earned on "
                f"{evidence} measured at base: " + "; ".join(failing),
                "raise the level once every exit criterion passes (`agentgov status` shows "
                "them), or raise it one level at a time as the evidence allows",
                raised.location,
            )
        )
    return found


def cooling(incidents: Sequence[Incident], at: float, cooldown_days: int) -> dict[str, Incident]:
    """Per class, the latest incident open at ``at`` or resolved within the cooldown."""
    found: dict[str, Incident] = {}
    for incident in incidents:
        if incident.time > at:
            continue
        if incident.resolved is None or incident.resolved >= at - cooldown_days * DAY:
            found[incident.task_class] = incident
    return found


def loosen_findings(
    changes: Iterable[PolicyChange], cooling_classes: dict[str, Incident], cooldown_days: int
) -> list[Finding]:
    """A warning per loosening, an error when a class it concerns is in an incident's
    cooldown (a change that concerns every class is held back by any)."""
    found = []
    for change in changes:
        if change.kind is not ChangeKind.LOOSEN:
            continue
        concerned = change.classes or tuple(cooling_classes)
        held = [cooling_classes[name] for name in concerned if name in cooling_classes]
        if held:
            incident = held[0]
            state = "open" if incident.resolved is None else f"resolved {iso(incident.resolved)}"
            found.append(
                Finding(
                    "check.loosened",
                    Severity.ERROR,
                    f"{change.words}, inside the {cooldown_days}d cooldown after incident "
                    f"{incident.id} of {incident.task_class} ({state})",
                    "wait until the cooldown ends (evidence.incident_cooldown), or make the "
                    "change without loosening the classes with incidents",
                    change.location,
                )
            )
        else:
            found.append(
                Finding(
                    "check.loosened",
                    Severity.WARNING,
                    f"{change.words}: this loosens the policy",
                    "review it explicitly: a loosening needs no evidence, so the reviewer "
                    "is the only check on it",
                    change.location,
                )
            )
    return found


def governance_findings(edits: Iterable[GovernanceEdit]) -> list[Finding]:
    found = []
    for edit in edits:
        agent = edit.agent
        what = f"line {edit.line} ({edit.text.strip()!r})" if edit.line else edit.path
        found.append(
            Finding(
                "check.agent-governance-edit",
                Severity.ERROR,
                f"agent commit {agent.sha[:SHORT]} ({agent.subject or 'no subject'}; "
                f"{', '.join(agent.why)}) changes {what}: an agent never changes what "
                "governs it",
                "drop this change from the agent's commits; a person makes it in a commit of "
                "their own, reviewed like any policy change",
                Location(edit.path, edit.line) if edit.line else Location(edit.path),
            )
        )
    return found


def demotion_findings(
    demotions: Iterable[Demotion],
    *,
    protected: bool,
    policy_changed: bool,
    location: Location | None,
) -> list[Finding]:
    """Breached triggers not applied at head: errors on the protected branch, and on a PR
    that changes the policy without applying them; warnings on other PRs."""
    found = []
    for demotion in demotions:
        if demotion.applied:
            continue
        why = demotion_cause(demotion)
        error = protected or policy_changed
        where = "on the protected branch" if protected else "in this pull request"
        found.append(
            Finding(
                "check.rollback-due",
                Severity.ERROR if error else Severity.WARNING,
                f"{demotion.task_class}: demote {level_words(demotion.from_level)} → "
                f"{level_words(demotion.to_level)} ({action_text(demotion.trigger.action)}): "
                f"{why}; the policy {where} does not apply it",
                "run `agentgov rollback --apply` and merge the demotion it opens, or apply "
                f"it in this change (task_classes.{demotion.task_class}.level)",
                location,
            )
        )
    return found


def demotion_cause(demotion: Demotion) -> str:
    if demotion.judgement is not None:
        return f"rollback trigger {judgement_words(demotion.judgement, 'breached')}"
    named = ", ".join(
        f"{i.id} ({i.severity or 'no severity'}, {iso(i.time)})" for i in demotion.incidents
    )
    return f"open incident {named}"


def audit_findings(problems: Iterable[Problem], found: bool) -> list[Finding]:
    out = [
        Finding(
            "check.audit-trail",
            Severity.ERROR,
            f"{problem.where}: {problem.message}",
            "see `agentgov audit verify`: a trail that lost or changed lines is not evidence",
        )
        for problem in problems
    ]
    if not found:
        out.append(
            Finding(
                "check.audit-trail",
                Severity.NOTE,
                "no audit trail here: the notes were not fetched, or nothing was recorded "
                "yet; every metric from the trail is then insufficient",
                "fetch it before check: git fetch origin 'refs/notes/agentgov:refs/notes/agentgov'",
            )
        )
    return out
