"""The wording the gate's reports share: raises and their evidence tables, demotions and
policy changes, built on the phrases ``status`` uses for judgements
(reporters/evidence_report.py) and the ones ``check``'s findings use (gate/findings.py), so
a criterion reads the same in every report (docs/ci.md).

An evidence table has one row per exit criterion of each level a raise crosses: the level,
the criterion, what was measured, the threshold, the samples, the window, the verdict and
the samples still missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from agentgov.evidence.measure import DURATION
from agentgov.evidence.verdicts import Judgement
from agentgov.gate.findings import demotion_cause, level_words
from agentgov.gate.model import (
    ChangeKind,
    Demotion,
    Finding,
    PolicyChange,
    Raise,
    Severity,
)
from agentgov.policy.model import Level
from agentgov.reporters.evidence_report import action_text, iso, measured_text

EVIDENCE_HEADERS = (
    "level",
    "criterion",
    "measured",
    "threshold",
    "samples",
    "window",
    "verdict",
    "missing",
)
NO_CRITERIA = "no exit criteria"
SHORT = 12
"""Shas are shown by their first 12 hex digits, as ``status`` shows them."""

CHANGE_GROUPS = (
    (ChangeKind.RAISE, "Raises"),
    (ChangeKind.LOOSEN, "Loosenings (⚠ review)"),
    (ChangeKind.TIGHTEN, "Tightenings"),
    (ChangeKind.NEUTRAL, "Other"),
)
"""How ``diff`` and the job summary group policy changes, in this order."""

SEVERITY_ORDER = (Severity.ERROR, Severity.WARNING, Severity.NOTE)


@dataclass(frozen=True)
class EvidenceRow:
    level: str
    criterion: str
    measured: str
    threshold: str
    samples: str
    window: str
    verdict: str
    missing: str

    @property
    def cells(self) -> tuple[str, ...]:
        """The row's cells in the order of ``EVIDENCE_HEADERS``."""
        return (
            self.level,
            self.criterion,
            self.measured,
            self.threshold,
            self.samples,
            self.window,
            self.verdict,
            self.missing,
        )


def evidence_row(level: Level, judgement: Judgement) -> EvidenceRow:
    c = judgement.criterion
    found = judgement.measurement
    window = found.window
    bound = f" (bound at {c.confidence:g} confidence)" if c.confidence else ""
    restarted = f", restarted by incident {window.restarted_by}" if window.restarted_by else ""
    unit = " s" if c.metric == DURATION else ""
    return EvidenceRow(
        level=level_words(level.value),
        criterion=f"{c.metric} {c.comparison.value}{bound}",
        # the samples still missing have their own column, so the measured value leaves
        # out measured_text's "N more samples needed"
        measured=measured_text(replace(judgement, short=0)),
        threshold=f"{c.threshold:g}{unit}",
        samples=f"{found.denominator} (min {c.min_samples})",
        window=f"{window.label}: {iso(window.start)} to {iso(window.end)}{restarted}",
        verdict=judgement.verdict.value,
        missing=str(judgement.short),
    )


def evidence_rows(raised: Raise) -> list[EvidenceRow]:
    """One row per criterion of each level crossed; a level without exit criteria gets one
    row that says so."""
    rows = []
    for level, judged in raised.judgements:
        if not judged:
            rows.append(EvidenceRow(level_words(level.value), NO_CRITERIA, *("-",) * 6))
        rows.extend(evidence_row(level, j) for j in judged)
    return rows


def raise_words(raised: Raise) -> str:
    """``tests: level 3 execute-gated → 4 execute-sandboxed (level raised), judged on its
    own evidence measured at base: not proven``."""
    evidence = (
        "its own evidence"
        if raised.evidence_class == raised.task_class
        else f"the evidence of {raised.evidence_class}"
    )
    proven = "proven" if raised.proven else "not proven"
    return (
        f"{raised.task_class}: level {level_words(raised.from_level.value)} → "
        f"{level_words(raised.to_level.value)} ({raised.because}), judged on {evidence} measured "
        f"at base: {proven}"
    )


def demotion_words(demotion: Demotion) -> str:
    """``tests: 4 execute-sandboxed → 3 execute-gated (demote by 1): rollback trigger
    breached: ...; not applied at head``."""
    applied = "applied at head" if demotion.applied else "not applied at head"
    return (
        f"{demotion.task_class}: {level_words(demotion.from_level.value)} → "
        f"{level_words(demotion.to_level.value)} ({action_text(demotion.trigger.action)}): "
        f"{demotion_cause(demotion)}; {applied}"
    )


def change_words(change: PolicyChange) -> str:
    """``tests: level 3 execute-gated → 4 execute-sandboxed (task_classes.tests.level at
    .agentgov/policy.yaml:9:12)``."""
    where = f" at {change.location}" if change.location else ""
    return f"{change.words} ({change.key}{where})"


def grouped_changes(
    changes: Iterable[PolicyChange],
) -> list[tuple[str, list[PolicyChange]]]:
    """The changes by kind, in ``CHANGE_GROUPS``'s order; groups without changes left out."""
    found = list(changes)
    groups = []
    for kind, title in CHANGE_GROUPS:
        mine = [c for c in found if c.kind is kind]
        if mine:
            groups.append((title, mine))
    return groups


def by_severity(findings: Iterable[Finding]) -> list[Finding]:
    """Errors first, then warnings, then notes; each in the order the checks found them."""
    found = list(findings)
    return [f for severity in SEVERITY_ORDER for f in found if f.severity is severity]


def counts_words(findings: Sequence[Finding]) -> str:
    """``2 errors, 1 warning``; ``no findings`` when there are none."""
    parts = []
    for severity in SEVERITY_ORDER:
        count = sum(1 for f in findings if f.severity is severity)
        if count:
            parts.append(f"{count} {severity.value}{'' if count == 1 else 's'}")
    return ", ".join(parts) or "no findings"


def verdict_words(failed: bool, findings: Sequence[Finding]) -> str:
    """The last line of ``check``: ``check failed: 2 errors, 1 warning``."""
    return f"check {'failed' if failed else 'passed'}: {counts_words(findings)}"


def span_words(base: str, head: str, protected: bool) -> str:
    """``1a2b3c4d5e6f..0f9e8d7c6b5a, a pull request`` (or ``a push to the protected
    branch``)."""
    where = "a push to the protected branch" if protected else "a pull request"
    return f"{base[:SHORT]}..{head[:SHORT]}, {where}"
