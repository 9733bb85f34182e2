"""What the CI gate finds, as frozen values passed from the checks to the reporters.

``check`` builds a ``CheckReport``; the text, JSON, GitHub and SARIF reporters and ``diff``
only read it (docs/ci.md). Every ``Finding`` has a rule id (its anchor in docs/ci.md), a
severity, a message, a remediation and, where one exists, a location in the repository.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from agentgov.evidence.verdicts import Judgement
from agentgov.evidence.verdicts import Verdict as CriterionVerdict
from agentgov.evidence.windows import Incident
from agentgov.policy.model import Level, RollbackTrigger


class Severity(str, Enum):
    """``error`` fails the check (exit 1); ``warning`` asks for explicit review."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True)
class Location:
    """A place in the repository: a repo-relative posix path, 1-based line and column
    (0 when not known)."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.path
        return f"{self.path}:{self.line}:{self.col or 1}"


@dataclass(frozen=True)
class Finding:
    rule: str
    """A check rule id, e.g. ``check.raise-unproven``: its anchor in docs/ci.md."""
    severity: Severity
    message: str
    remediation: str
    location: Location | None = None


class ChangeKind(str, Enum):
    """How a policy change moves autonomy: ``raise`` needs evidence, ``loosen`` explicit
    review, ``tighten`` and ``neutral`` nothing."""

    RAISE = "raise"
    LOOSEN = "loosen"
    TIGHTEN = "tighten"
    NEUTRAL = "neutral"


@dataclass(frozen=True)
class PolicyChange:
    kind: ChangeKind
    key: str
    """The dotted key path of what changed, e.g. ``task_classes.tests.level``."""
    words: str
    """The change in plain words: "tests: level 3 execute-gated → 4 execute-sandboxed"."""
    classes: tuple[str, ...] = ()
    """The task classes it concerns; empty means every class."""
    location: Location | None = None
    """Where it is in the head policy (the base policy's place for a removal)."""


@dataclass(frozen=True)
class Raise:
    """A task class (or the paths and branches moved into it) acting at a higher level at
    head than at base, and the exit criteria of every level crossed, judged on the evidence
    measured at base."""

    task_class: str
    evidence_class: str
    """Whose evidence is judged: the class itself, or the class the paths came from."""
    from_level: Level
    to_level: Level
    because: str
    """"level raised", or "paths docs/** moved from default (level 3)"."""
    judgements: tuple[tuple[Level, tuple[Judgement, ...]], ...]
    """For each level crossed, the exit criteria of that level (base's and head's)."""
    location: Location | None = None

    @property
    def proven(self) -> bool:
        return all(
            j.verdict is CriterionVerdict.PASS for _, found in self.judgements for j in found
        )


@dataclass(frozen=True)
class Demotion:
    """What a breached rollback trigger or an open incident requires of a class."""

    task_class: str
    from_level: Level
    to_level: Level
    trigger: RollbackTrigger
    judgement: Judgement | None
    """The breached criterion; None for an incident trigger."""
    incidents: tuple[Incident, ...] = ()
    applied: bool = False
    """The policy at head already acts at ``to_level`` or lower for this class."""


@dataclass(frozen=True)
class CheckReport:
    base: str
    head: str
    """The commits judged (40-hex)."""
    findings: tuple[Finding, ...]
    changes: tuple[PolicyChange, ...] = ()
    raises: tuple[Raise, ...] = ()
    demotions: tuple[Demotion, ...] = ()
    checks: tuple[str, ...] = ()
    """The checks that ran, in order (``policy``, ``autonomy``, ``governance-files``,
    ``rollback``, ``audit``; ``scan`` once it lands)."""
    protected: bool = False
    """Whether head is the protected branch (a push), not a pull request."""

    @property
    def failed(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)
