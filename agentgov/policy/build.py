"""Plain, already validated policy data -> the frozen ``Policy``; and back, for the cache.

``build`` trusts its input: the loader validates first (schema, then semantic checks).
"""

from __future__ import annotations

from typing import Any

from agentgov.policy.model import (
    DEFAULT_AGENT_MARKERS,
    ECOSYSTEMS,
    ActionClass,
    AuditSettings,
    Comparison,
    Criterion,
    GuardScope,
    KillSwitch,
    Level,
    MatrixRow,
    Policy,
    ProductionMarkers,
    RollbackAction,
    RollbackTrigger,
    RuleMode,
    Strictness,
    TaskClass,
    Verdict,
)

A, Q, D = Verdict.ALLOW, Verdict.ASK, Verdict.DENY

DEFAULT_MATRIX: dict[ActionClass, MatrixRow] = {
    ActionClass.READ: (A, A, A, A, A),
    ActionClass.LOCAL: (D, Q, A, A, A),
    ActionClass.NETWORK: (D, Q, Q, A, A),
    ActionClass.INSTALL: (D, Q, Q, A, A),
    ActionClass.PUBLISH: (D, Q, Q, A, A),
    ActionClass.DYNAMIC: (D, Q, Q, Q, A),
    ActionClass.IRREVERSIBLE: (D, Q, Q, Q, Q),
    ActionClass.FORBIDDEN: (D, D, D, D, D),
}
"""docs/policy.md#levels-and-action-classes: monotonic, a higher level is never stricter."""

DEFAULT_PROTECTED_BRANCHES = ("main", "master", "release/*")


def parse_window_days(text: str) -> int:
    """``14d`` -> 14, ``6w`` -> 42, ``48h`` -> 2 (hours round up to whole days)."""
    number, unit = int(text[:-1]), text[-1]
    if unit == "w":
        return number * 7
    if unit == "h":
        return -(-number // 24)
    return number


def matrix_rows(overrides: dict[str, dict[str, str]]) -> dict[ActionClass, MatrixRow]:
    """The default matrix with ``overrides`` (class -> level key -> verdict) applied."""
    rows = {action: list(row) for action, row in DEFAULT_MATRIX.items()}
    for action_name, levels in overrides.items():
        row = rows[ActionClass(action_name)]
        for level_key, verdict in levels.items():
            row[Level.parse(level_key).value - 1] = Verdict(verdict)
    return {action: (r[0], r[1], r[2], r[3], r[4]) for action, r in rows.items()}


def _criterion(data: dict[str, Any]) -> Criterion:
    return Criterion(
        metric=data["metric"],
        comparison=Comparison(data["op"]),
        threshold=float(data["threshold"]),
        window_days=parse_window_days(data["window"]),
        min_samples=int(data["min_samples"]),
        confidence=float(data["confidence"]) if "confidence" in data else None,
    )


def _action(data: dict[str, Any]) -> RollbackAction:
    if "demote_by" in data:
        return RollbackAction(demote_by=int(data["demote_by"]))
    if "demote_to" in data:
        return RollbackAction(demote_to=Level.parse(data["demote_to"]))
    return RollbackAction(reset_to=Level.parse(data["reset_to"]))


def build(data: dict[str, Any], source: str = "") -> Policy:
    classes = data["task_classes"]
    ordered = ["default", *sorted(name for name in classes if name != "default")]
    task_classes = tuple(
        TaskClass(
            name=name,
            level=Level.parse(classes[name]["level"]),
            description=classes[name].get("description", ""),
            paths=tuple(classes[name].get("paths", ())),
            branches=tuple(classes[name].get("branches", ())),
        )
        for name in ordered
    )
    supply = data.get("supply_chain", {})
    default_strictness = supply.get("default", "exact")
    ecosystems = supply.get("ecosystems", {})
    ladder: dict[Level, tuple[Criterion, ...]] = {}
    for level_key, criteria in data.get("ladder", {}).items():
        ladder[Level.parse(level_key)] = tuple(_criterion(c) for c in criteria)
    triggers = []
    for item in data.get("rollback", []):
        triggers.append(
            RollbackTrigger(
                action=_action(item["action"]),
                criterion=_criterion(item) if "metric" in item else None,
                incident=item.get("incident"),
                classes=tuple(item.get("classes", ())),
            )
        )
    production = data.get("production", {})
    defaults = ProductionMarkers()
    audit = data.get("audit", {})
    kill = data.get("kill_switch", {})
    return Policy(
        version=int(data.get("version", 1)),
        task_classes=task_classes,
        protected_branches=tuple(data.get("protected_branches", DEFAULT_PROTECTED_BRANCHES)),
        matrix=tuple(matrix_rows(data.get("matrix", {})).items()),
        rules=tuple(sorted((rid, RuleMode(mode)) for rid, mode in data.get("rules", {}).items())),
        supply_chain=tuple(
            (eco, Strictness(ecosystems.get(eco, default_strictness))) for eco in ECOSYSTEMS
        ),
        production=ProductionMarkers(
            **{
                name: tuple(production.get(name, getattr(defaults, name)))
                for name in (
                    "words",
                    "hosts",
                    "kube_contexts",
                    "namespaces",
                    "terraform_workspaces",
                    "env_vars",
                    "settings_modules",
                )
            }
        ),
        ladder=tuple(sorted(ladder.items())),
        rollback=tuple(triggers),
        audit=AuditSettings(
            notes_ref=audit.get("notes_ref", "refs/notes/agentgov"),
            review_sample_rate=float(audit.get("review_sample_rate", 0.1)),
        ),
        kill_switch=KillSwitch(
            engaged=bool(kill.get("engaged", False)), reason=str(kill.get("reason", ""))
        ),
        tools=tuple(sorted((glob, ActionClass(c)) for glob, c in data.get("tools", {}).items())),
        git_hooks_scope=GuardScope(data.get("git_hooks", {}).get("apply_to", "everyone")),
        agent_markers=(
            *DEFAULT_AGENT_MARKERS,
            *data.get("evidence", {}).get("agent_markers", ()),
        ),
        incident_cooldown_days=parse_window_days(
            data.get("evidence", {}).get("incident_cooldown", "14d")
        ),
        source=source,
    )
