"""The validated policy: frozen values that every layer above reads and none can change.

Nothing here imports YAML or JSON Schema, so the hot paths (the Claude Code hook, pre-push)
can rebuild a ``Policy`` from the compiled cache in well under a millisecond.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Level(int, Enum):
    """The five autonomy levels; the ids are stable identifiers used in YAML and audit."""

    SUGGEST = 1
    PROPOSE = 2
    EXECUTE_GATED = 3
    EXECUTE_SANDBOXED = 4
    AUTONOMOUS = 5

    @property
    def id(self) -> str:
        return LEVEL_IDS[self.value]

    @classmethod
    def parse(cls, value: int | str) -> Level:
        """A level from its number (``3``, ``"3"``) or its id (``"execute-gated"``)."""
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
            return cls(value)
        if isinstance(value, str):
            text = value.strip()
            if text.isdigit() and 1 <= int(text) <= 5:
                return cls(int(text))
            for number, ident in LEVEL_IDS.items():
                if ident == text:
                    return cls(number)
        raise ValueError(f"{value!r} is not a level (1-5 or {', '.join(LEVEL_IDS.values())})")


LEVEL_IDS: dict[int, str] = {
    1: "suggest",
    2: "propose",
    3: "execute-gated",
    4: "execute-sandboxed",
    5: "autonomous",
}


class ActionClass(str, Enum):
    """What an analysed action is, ordered from harmless to never-allowed."""

    READ = "read"
    LOCAL = "local"
    NETWORK = "network"
    INSTALL = "install"
    PUBLISH = "publish"
    DYNAMIC = "dynamic"
    IRREVERSIBLE = "irreversible"
    FORBIDDEN = "forbidden"

    @property
    def severity(self) -> int:
        return _ACTION_SEVERITY[self]


ACTION_CLASS_ORDER: tuple[ActionClass, ...] = tuple(ActionClass)
# Read on every judgement: a lookup, not a search of the order (nor ``.value``, itself a
# property call on an enum member).
_ACTION_SEVERITY = {action: rank for rank, action in enumerate(ACTION_CLASS_ORDER)}


class Verdict(str, Enum):
    """The outcome for one action; ``deny`` outranks ``ask`` outranks ``allow``."""

    ALLOW = "allow"
    ASK = "ask"
    DENY = "deny"

    @property
    def severity(self) -> int:
        return _VERDICT_SEVERITY[self]


_VERDICT_SEVERITY = {verdict: rank for rank, verdict in enumerate(Verdict)}


class RuleMode(str, Enum):
    ENFORCE = "enforce"
    SHADOW = "shadow"
    OFF = "off"


class Strictness(str, Enum):
    """How tightly a package install must be pinned; ``locked`` is the strictest."""

    ANY = "any"
    CONSTRAINED = "constrained"
    EXACT = "exact"
    LOCKED = "locked"

    @property
    def rank(self) -> int:
        return _STRICTNESS_RANK[self]


_STRICTNESS_RANK = {strictness: rank for rank, strictness in enumerate(Strictness)}


ECOSYSTEMS: tuple[str, ...] = (
    "pip",
    "npm",
    "uv",
    "cargo",
    "go",
    "gem",
    "docker",
    "github-actions",
    "brew",
)
"""Package ecosystems with their own pinning strictness. ``npm`` covers npm, yarn, pnpm and
bun; ``uv`` covers uv, uvx and pipx; ``pip`` covers pip, poetry and pdm."""


METRICS: dict[str, str] = {
    "approval_rate": "share of asks the human approved (0-1)",
    "intervention_rate": "interrupts and rejections per turn (0-1)",
    "defect_escape_rate": "share of agent commits later reverted or fixed (0-1)",
    "audit_disagreement_rate": "share of sampled agent commits a reviewer disagreed with (0-1)",
    "turn_duration": "median seconds per agent turn",
    "ci_failure_rate": "share of CI runs on agent commits that failed (0-1)",
    "deny_rate": "share of agent actions agentgov denied (0-1)",
}
"""The closed set of escalation metrics (docs/policy.md#metrics-the-ladder-and-rollback).
Rates are fractions."""

RATE_METRICS = frozenset(name for name in METRICS if name.endswith("_rate"))


class Comparison(str, Enum):
    """How a metric is compared with its threshold. ``not-rising`` compares the window with
    the window before it and passes when the rise is at most ``threshold``."""

    AT_LEAST = ">="
    ABOVE = ">"
    AT_MOST = "<="
    BELOW = "<"
    NOT_RISING = "not-rising"


class GuardScope(str, Enum):
    """Whom the git hooks' protected-branch rules apply to."""

    EVERYONE = "everyone"
    AGENTS = "agents"


@dataclass(frozen=True)
class Criterion:
    """One measured condition: ``metric comparison threshold`` over ``window_days``."""

    metric: str
    comparison: Comparison
    threshold: float
    window_days: int
    min_samples: int
    confidence: float | None = None
    """When set, the criterion is judged on the Wilson interval's bound at this confidence
    (lower for ``>=``/``>``, upper for ``<=``/``<``) instead of the point estimate."""


@dataclass(frozen=True)
class RollbackAction:
    """Exactly one of the three is set. ``reset_to`` also restarts the evidence window."""

    demote_by: int | None = None
    demote_to: Level | None = None
    reset_to: Level | None = None

    def target(self, current: Level) -> Level:
        """The level after the action; a rollback never raises a level."""
        if self.demote_by is not None:
            return Level(max(1, current.value - self.demote_by))
        goal = self.demote_to or self.reset_to
        assert goal is not None
        return Level(min(current.value, goal.value))


@dataclass(frozen=True)
class RollbackTrigger:
    """A metric breach (``criterion``) or a recorded incident (``incident``) and its action.

    ``classes`` empty means every task class.
    """

    action: RollbackAction
    criterion: Criterion | None = None
    incident: str | None = None
    classes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TaskClass:
    name: str
    level: Level
    description: str = ""
    paths: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProductionMarkers:
    """What identifies production in a command, its environment or its flags."""

    words: tuple[str, ...] = ("prod", "production")
    hosts: tuple[str, ...] = ()
    kube_contexts: tuple[str, ...] = ("*prod*",)
    namespaces: tuple[str, ...] = ("prod", "production")
    terraform_workspaces: tuple[str, ...] = ("prod", "production")
    env_vars: tuple[str, ...] = ()
    settings_modules: tuple[str, ...] = ("*.settings.prod", "*.settings.production")


@dataclass(frozen=True)
class AuditSettings:
    notes_ref: str = "refs/notes/agentgov"
    review_sample_rate: float = 0.1


DEFAULT_AGENT_MARKERS: tuple[str, ...] = (
    "Co-authored-by: * <noreply@anthropic.com>",
    "Co-authored-by: aider (*) <aider@aider.chat>",
    "Author: * (aider) <*>",
    "Committer: * (aider) <*>",
    "Author: copilot-swe-agent[[]bot[]] *",
    "Co-authored-by: copilot-swe-agent[[]bot[]] *",
    "Co-authored-by: Codex <noreply@openai.com>",
    "Co-authored-by: Cursor <cursoragent@cursor.com>",
    "Made-with: Cursor",
    "Co-authored-by: * <*gemini-cli*>",
    "Assisted-by: *",
)
"""Built-in markers of agent-authored commits: globs matched, case-insensitively, against a
commit's trailer lines and its ``Author:``/``Committer:`` lines. A lower bound: people can
switch them off; the audit trail is the primary signal (docs/policy.md#evidence)."""


@dataclass(frozen=True)
class KillSwitch:
    engaged: bool = False
    reason: str = ""


MatrixRow = tuple[Verdict, Verdict, Verdict, Verdict, Verdict]


@dataclass(frozen=True)
class Policy:
    """A whole validated policy. ``matrix`` is complete (defaults merged with overrides)."""

    task_classes: tuple[TaskClass, ...]
    protected_branches: tuple[str, ...]
    matrix: tuple[tuple[ActionClass, MatrixRow], ...]
    rules: tuple[tuple[str, RuleMode], ...]
    supply_chain: tuple[tuple[str, Strictness], ...]
    production: ProductionMarkers
    ladder: tuple[tuple[Level, tuple[Criterion, ...]], ...]
    rollback: tuple[RollbackTrigger, ...]
    audit: AuditSettings
    kill_switch: KillSwitch
    tools: tuple[tuple[str, ActionClass], ...] = ()
    git_hooks_scope: GuardScope = GuardScope.EVERYONE
    agent_markers: tuple[str, ...] = DEFAULT_AGENT_MARKERS
    incident_cooldown_days: int = 14
    """After an incident of a class (open, or resolved this many days ago or less),
    ``agentgov check`` fails a change that loosens that class's policy (docs/ci.md)."""
    version: int = 1
    source: str = field(default="", compare=False)

    def task_class(self, name: str) -> TaskClass:
        for task_class in self.task_classes:
            if task_class.name == name:
                return task_class
        return self.task_class("default") if name != "default" else self.task_classes[0]

    def verdict(self, action: ActionClass, level: Level) -> Verdict:
        for row_class, row in self.matrix:
            if row_class is action:
                return row[level - 1]  # a Level is its number
        return Verdict.DENY

    def rule_mode(self, rule_id: str) -> RuleMode:
        for ident, mode in self.rules:
            if ident == rule_id:
                return mode
        return RuleMode.ENFORCE

    def strictness(self, ecosystem: str) -> Strictness:
        for name, strictness in self.supply_chain:
            if name == ecosystem:
                return strictness
        return Strictness.EXACT

    def criteria(self, level: Level) -> tuple[Criterion, ...]:
        for ladder_level, criteria in self.ladder:
            if ladder_level is level:
                return criteria
        return ()
