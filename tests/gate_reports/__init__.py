"""Tests of the CI gate's reporters (text, JSON, GitHub, SARIF, diff).

The reports are built here the way ``check`` builds them: observations measured by the
real ``Series``, criteria judged by ``evidence.standing.judged``, findings made by
``gate.findings`` from the raises, changes and demotions.
"""

from __future__ import annotations

from datetime import datetime, timezone

from agentgov.evidence.measure import Series
from agentgov.evidence.observations import Observation
from agentgov.evidence.standing import judged
from agentgov.evidence.verdicts import Judgement
from agentgov.gate import findings as found
from agentgov.gate.model import (
    ChangeKind,
    CheckReport,
    Demotion,
    Finding,
    Location,
    PolicyChange,
    Raise,
    Severity,
)
from agentgov.policy.model import Comparison, Criterion, Level, RollbackAction, RollbackTrigger

AT = datetime(2026, 12, 2, tzinfo=timezone.utc).timestamp()
"""When base was measured: 2026-12-02T00:00:00Z."""
DAY = 86400.0
BASE = "1a2b3c4d5e6f" + "0" * 28
HEAD = "0f9e8d7c6b5a" + "1" * 28
CHECKS = ("policy", "autonomy", "governance-files", "rollback", "audit")
APPROVAL = Criterion("approval_rate", Comparison.AT_LEAST, 0.95, 14, 50)
DENY = Criterion("deny_rate", Comparison.ABOVE, 0.5, 14, 3)


def judged_on(
    criterion: Criterion, hits: int, samples: int, task_class: str = "tests"
) -> Judgement:
    """``criterion`` judged at ``AT`` on ``samples`` observations of its metric in its
    window, ``hits`` of them counting in the numerator."""
    step = criterion.window_days * DAY / (samples + 1)
    series = Series(
        [
            Observation(criterion.metric, task_class, AT - (i + 1) * step, float(i < hits))
            for i in range(samples)
        ],
        [],
    )
    return judged(criterion, series, task_class, AT, ())


def raise_of_tests(hits: int = 45, samples: int = 50) -> Raise:
    """tests: 3 execute-gated → 4 execute-sandboxed, judged on approval_rate >= 0.95."""
    return Raise(
        "tests",
        "tests",
        Level.EXECUTE_GATED,
        Level.EXECUTE_SANDBOXED,
        "level raised",
        ((Level.EXECUTE_SANDBOXED, (judged_on(APPROVAL, hits, samples),)),),
        Location(".agentgov/policy.yaml", 9, 12),
    )


def docs_demotion(applied: bool = False) -> Demotion:
    """docs: deny_rate > 0.5 breached (3 of 4 denied): demote 4 → 3."""
    trigger = RollbackTrigger(RollbackAction(demote_by=1), DENY)
    return Demotion(
        "docs",
        Level.EXECUTE_SANDBOXED,
        Level.EXECUTE_GATED,
        trigger,
        judged_on(DENY, 3, 4, "docs"),
        applied=applied,
    )


LOOSEN = PolicyChange(
    ChangeKind.LOOSEN,
    "matrix.git_push_protected",
    "git_push_protected at 4 execute-sandboxed: deny → ask",
    (),
    Location(".agentgov/policy.yaml", 30, 5),
)
RAISE_CHANGE = PolicyChange(
    ChangeKind.RAISE,
    "task_classes.tests.level",
    "tests: level 3 execute-gated → 4 execute-sandboxed",
    ("tests",),
    Location(".agentgov/policy.yaml", 9, 12),
)
TIGHTEN = PolicyChange(
    ChangeKind.TIGHTEN, "supply_chain.npm", "supply_chain npm: constrained → exact", ()
)


def sample_report(**changes: object) -> CheckReport:
    """A pull request that raises tests unproven (45/50 against 0.95 at min 50: fail),
    loosens the matrix, tightens npm, leaves a breached docs demotion unapplied, and has no
    audit trail: 2 errors, 1 warning, 1 note."""
    raised = raise_of_tests()
    demotion = docs_demotion()
    all_changes = (RAISE_CHANGE, LOOSEN, TIGHTEN)
    findings: list[Finding] = [
        *found.raise_findings([raised]),
        *found.loosen_findings(all_changes, {}, 14),
        *found.demotion_findings(
            [demotion],
            protected=False,
            policy_changed=True,
            location=Location(".agentgov/policy.yaml"),
        ),
        *found.audit_findings([], found=False),
    ]
    return CheckReport(
        BASE,
        HEAD,
        tuple(findings),
        all_changes,
        (raised,),
        (demotion,),
        CHECKS,
        False,
    )


UNEARNED = Finding(
    "check.raise-unproven",
    Severity.ERROR,
    "tests: level 3 → 4 is not earned",
    "wait for the evidence",
    Location(".agentgov/policy.yaml", 9, 12),
)
NO_TRAIL = Finding("check.audit-trail", Severity.WARNING, "no trail", "fetch the notes")


def small_report(protected: bool = True) -> CheckReport:
    """An unproven raise (18 of min 50 samples: insufficient), an applied demotion, an error
    with a location and a warning without."""
    return CheckReport(
        BASE,
        HEAD,
        (UNEARNED, NO_TRAIL),
        (RAISE_CHANGE,),
        (raise_of_tests(18, 20),),
        (docs_demotion(applied=True),),
        CHECKS,
        protected,
    )


def many_findings(count: int, severity: Severity = Severity.ERROR) -> tuple[Finding, ...]:
    """``count`` findings of agent governance edits, one per line of a file."""
    return tuple(
        Finding(
            "check.agent-governance-edit",
            severity,
            f"agent commit {i:012x} (edit {i}) changes line {i + 1}: an agent never changes "
            "what governs it",
            "drop this change from the agent's commits",
            Location("CLAUDE.md", i + 1),
        )
        for i in range(count)
    )
