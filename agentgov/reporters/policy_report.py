"""Render the policy in force for ``agentgov policy show``: text for people, JSON for tools."""

from __future__ import annotations

import json
from typing import Any

from agentgov.policy.in_force import PolicyInForce
from agentgov.policy.model import ActionClass, Level, Policy

JSON_VERSION = 1


def policy_json(found: PolicyInForce) -> str:
    policy = found.policy
    document: dict[str, Any] = {
        "v": JSON_VERSION,
        "source": {
            "origin": found.origin,
            "label": found.label,
            "ref": found.ref,
            "commit": found.commit,
            "working_copy_differs": found.working_copy_differs,
            "note": found.note,
            "why": source_reason(found),
            "remembered": found.remembered,
            "tip": found.tip,
            "refusal": found.refusal or None,
        },
        "kill_switch": {"engaged": policy.kill_switch.engaged, "reason": policy.kill_switch.reason},
        "protected_branches": list(policy.protected_branches),
        "task_classes": [
            {
                "name": tc.name,
                "level": tc.level.value,
                "level_id": tc.level.id,
                "description": tc.description,
                "paths": list(tc.paths),
                "branches": list(tc.branches),
            }
            for tc in policy.task_classes
        ],
        "matrix": {action.value: [v.value for v in row] for action, row in policy.matrix},
        "rules": {rule: mode.value for rule, mode in policy.rules},
        "supply_chain": {eco: strict.value for eco, strict in policy.supply_chain},
        "ladder": {
            level.id: [
                {
                    "metric": c.metric,
                    "op": c.comparison.value,
                    "threshold": c.threshold,
                    "window_days": c.window_days,
                    "min_samples": c.min_samples,
                }
                for c in criteria
            ]
            for level, criteria in policy.ladder
        },
        "audit": {
            "notes_ref": policy.audit.notes_ref,
            "review_sample_rate": policy.audit.review_sample_rate,
        },
    }
    return json.dumps(document, indent=2)


def source_reason(found: PolicyInForce) -> str:
    """Why this policy is the one in force, in one sentence."""
    if found.refusal:
        return (
            f"the policy this clone remembers (commit {(found.remembered or '')[:12] or 'none'})"
            f", because the branch's current state was refused"
        )
    if found.origin == "branch":
        return (
            f"committed on {found.ref}, the default branch (remote-tracking when there is a "
            "remote), and remembered by this clone: the branch may only move forward"
        )
    if found.origin == "working-copy":
        return "the default branch has no committed policy yet, and none was ever remembered"
    return found.note or "no policy anywhere: the default template"


def policy_text(found: PolicyInForce) -> str:
    policy = found.policy
    lines = [f"policy in force: {found.label}"]
    if found.commit:
        lines.append(f"  from {found.ref} at {found.commit[:12]}")
    lines.append(f"  why: {source_reason(found)}")
    if found.refusal:
        lines.append(f"  REFUSED: {found.refusal.removeprefix('refused: ')}")
    elif found.remembered:
        lines.append(f"  remembered: commit {found.remembered[:12]}")
    if found.origin == "branch":
        state = "differs (a proposal until merged)" if found.working_copy_differs else "same"
        lines.append(f"  working copy: {state}")
    if found.note and found.origin != "branch":
        lines.append(f"  note: {found.note}")
    if policy.kill_switch.engaged:
        lines.append(
            f"  KILL SWITCH ENGAGED: every class acts at level 1 ({policy.kill_switch.reason})"
        )
    lines.append(f"protected branches: {', '.join(policy.protected_branches)}")
    lines.append("")
    lines.append("task classes:")
    width = max(len(tc.name) for tc in policy.task_classes)
    for tc in policy.task_classes:
        scope = ", ".join([*tc.paths, *(f"branch {b}" for b in tc.branches)]) or "(fallback)"
        lines.append(f"  {tc.name:<{width}}  {tc.level.value} {tc.level.id:<17}  {scope}")
    lines.append("")
    lines.extend(_matrix_lines(policy))
    modes = [f"{rule}={mode.value}" for rule, mode in policy.rules]
    lines.append("")
    lines.append(f"rule modes: {', '.join(modes) if modes else 'every rule enforced'}")
    strict = ", ".join(f"{eco}={s.value}" for eco, s in policy.supply_chain)
    lines.append(f"pinning: {strict}")
    lines.append("")
    lines.append("escalation ladder (criteria to reach each level):")
    for level, criteria in policy.ladder:
        for c in criteria:
            lines.append(
                f"  {level.value} {level.id:<17}  {c.metric} {c.comparison.value} {c.threshold:g}"
                f" over {c.window_days}d (min {c.min_samples} samples)"
            )
    lines.append("rollback triggers:")
    for trigger in policy.rollback:
        what = (
            f"{trigger.criterion.metric} {trigger.criterion.comparison.value} "
            f"{trigger.criterion.threshold:g} over {trigger.criterion.window_days}d"
            if trigger.criterion
            else f"incident {trigger.incident}"
        )
        action = trigger.action
        if action.demote_by is not None:
            does = f"demote by {action.demote_by}"
        elif action.demote_to is not None:
            does = f"demote to {action.demote_to.id}"
        else:
            does = f"reset to {action.reset_to.id if action.reset_to else '?'}"
        scope = ", ".join(trigger.classes) or "every class"
        lines.append(f"  {what}: {does} ({scope})")
    return "\n".join(lines)


def _matrix_lines(policy: Policy) -> list[str]:
    header = "  ".join(f"{level.value}:{level.id[:8]:<8}" for level in Level)
    lines = [f"matrix        {header}"]
    for action in ActionClass:
        row = "  ".join(f"{policy.verdict(action, level).value:<10}" for level in Level)
        lines.append(f"  {action.value:<12}{row}")
    return lines
