"""Render decisions: one JSON object per decision (versioned), or text for people."""

from __future__ import annotations

import json
from typing import Any

from agentgov.engine import Decision, ShellJudgement
from agentgov.evaluators.rules.base import Rule
from agentgov.policy.model import Level, Policy

JSON_VERSION = 1


def decision_dict(decision: Decision) -> dict[str, Any]:
    return {
        "v": JSON_VERSION,
        "decision": decision.verdict.value,
        "class": decision.action_class.value,
        "rules": list(decision.rules),
        "reason": decision.reason,
        "remediation": decision.remediation,
        "level": decision.level.value,
        "task_class": decision.task_class,
        "would_deny": list(decision.would_deny),
    }


def decision_json(decision: Decision) -> str:
    return json.dumps(decision_dict(decision), separators=(",", ":"))


def decision_text(decision: Decision) -> str:
    lines = [
        f"{decision.verdict.value.upper()}: {decision.action_class.value} at level "
        f"{decision.level.value} ({decision.level.id}), task class {decision.task_class}"
    ]
    for finding in decision.findings:
        lines.append(f"  {finding.rule}: {finding.message}")
        lines.append(f"    in: {finding.fragment}")
    if not decision.findings and decision.reason:
        lines.append(f"  {decision.reason}")
    if decision.remediation:
        lines.append(f"  instead: {decision.remediation}")
    for finding in decision.shadow:
        lines.append(f"  would deny (shadow) {finding.rule}: {finding.message}")
    return "\n".join(lines)


def explain_text(judgement: ShellJudgement, because: str) -> str:
    analysis = judgement.analysis
    lines = [f"command: {analysis.source}", f"placement: {because}", ""]
    lines.append(f"commands found: {len(analysis.commands)}")
    for command, base in zip(analysis.commands, judgement.base, strict=False):
        where = f" [{command.origin.value}, depth {command.depth}]" if command.depth else ""
        lines.append(f"  {command.index}. {command.text}{where}")
        lines.append(f"     program: {command.name or '(not static)'}  cwd: {command.cwd or '?'}")
        if command.wrappers:
            lines.append(f"     wrappers removed: {', '.join(command.wrappers)}")
        if command.assignments:
            names = ", ".join(name for name, _ in command.assignments)
            lines.append(f"     assignments: {names}")
        lines.append(f"     base class: {base.action_class.value} ({base.message})")
    for flow in analysis.flows:
        lines.append(f"  flow: {flow.source} -> {flow.sink} ({flow.kind.value})")
    if analysis.truncated:
        lines.append("  (analysis truncated by a size or depth limit: treated as dynamic)")
    for fragment in analysis.unparsed:
        lines.append(f"  unparsed: {fragment!r}")
    if analysis.trace:
        lines.append("trace:")
        lines.extend(f"  {step}" for step in analysis.trace)
    decision = judgement.decision
    lines.append("rules that hit:" if decision.findings else "rules that hit: none")
    for finding in decision.findings:
        lines.append(f"  {finding.rule} ({finding.action_class.value}): {finding.message}")
        lines.append(f"    fragment: {finding.fragment}")
    lines.append("")
    lines.append(decision_text(decision))
    return "\n".join(lines)


def rules_rows(rules: list[Rule], policy: Policy) -> list[dict[str, Any]]:
    return [
        {
            "id": rule.id,
            "class": rule.action_class.value,
            "mode": policy.rule_mode(rule.id).value,
            "can_disable": rule.can_disable,
            "summary": rule.summary,
            "example": rule.example,
            "verdicts": [policy.verdict(rule.action_class, level).value for level in Level],
        }
        for rule in rules
    ]


def rules_text(rows: list[dict[str, Any]]) -> str:
    width = max(len(row["id"]) for row in rows)
    lines = []
    for row in rows:
        lock = " (always on)" if not row["can_disable"] else ""
        lines.append(f"{row['id']:<{width}}  {row['class']:<12} {row['mode']}{lock}")
        lines.append(f"{'':<{width}}  {row['summary']}")
        lines.append(f"{'':<{width}}  e.g. {row['example']}")
    return "\n".join(lines)
