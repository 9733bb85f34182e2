"""Reports of ``agentgov metrics`` and ``agentgov status``: text for people, JSON (v1)
for machines (docs/evidence.md)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from agentgov.evidence.measure import DURATION, Measurement
from agentgov.evidence.observations import Unseen
from agentgov.evidence.standing import ClassStanding, TriggerStanding
from agentgov.evidence.verdicts import Judgement
from agentgov.evidence.windows import Incident, Window
from agentgov.policy.in_force import PolicyInForce
from agentgov.policy.model import Level, RollbackAction

REPORT_VERSION = 1
SHORT = 12
Measured = Mapping[str, tuple[Level, Mapping[str, Measurement]]]


def _round(value: float | None) -> float | int | None:
    if value is None:
        return None
    rounded = round(value, 4)
    return int(rounded) if rounded.is_integer() and abs(rounded) >= 1 else rounded


def iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def measurement_json(found: Measurement) -> dict[str, Any]:
    data: dict[str, Any] = {
        "value": _round(found.value),
        "numerator": found.numerator,
        "denominator": found.denominator,
        "window": found.window.label,
        "low": _round(found.low),
        "high": _round(found.high),
        "from": iso(found.window.start),
        "to": iso(found.window.end),
        "pending": found.pending,
    }
    if found.window.restarted_by:
        data["restarted_by"] = found.window.restarted_by
    if found.metric == DURATION:
        data["unit"] = "ms"
        data.update({name: _round(value) for name, value in found.percentiles})
    return data


def _unseen_json(unseen: Sequence[Unseen]) -> list[dict[str, Any]]:
    return [{"what": u.what, "count": u.count, "detail": list(u.detail)} for u in unseen]


def metrics_json(at: str, measured: Measured, unseen: Sequence[Unseen]) -> str:
    classes = {
        name: {
            "level": level.value,
            "metrics": {metric: measurement_json(m) for metric, m in metrics.items()},
        }
        for name, (level, metrics) in measured.items()
    }
    report = {
        "v": REPORT_VERSION,
        "at": at,
        "task_classes": classes,
        "unseen": _unseen_json(unseen),
    }
    return json.dumps(report, indent=2)


def _fraction(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def measurement_text(found: Measurement) -> str:
    if found.metric == DURATION:
        if found.value is None:
            return "no turns"
        shown = "  ".join(f"{name} {value:.0f} ms" for name, value in found.percentiles)
        return f"{shown}  ({found.denominator} turns; p50 in [{found.low:.0f}, {found.high:.0f}])"
    if found.value is None:
        return "no data (0/0)"
    return (
        f"{found.value:.4f}  {found.numerator}/{found.denominator}  "
        f"[{_fraction(found.low)}, {_fraction(found.high)}]"
    )


def window_text(window: Window) -> str:
    restarted = f", restarted by incident {window.restarted_by}" if window.restarted_by else ""
    return f"{window.label} to {iso(window.end)}{restarted}"


def _pending_text(found: Measurement) -> str:
    return f"  ({found.pending} pending, this clone only)" if found.pending else ""


def metrics_text(at: str, measured: Measured, unseen: Sequence[Unseen]) -> str:
    lines = [f"measured at {at[:SHORT]}"]
    for name, (level, metrics) in measured.items():
        window = next(iter(metrics.values())).window
        lines.append(f"{name} (level {level.value} {level.id}), window {window_text(window)}")
        for metric, found in metrics.items():
            lines.append(f"  {metric:<24} {measurement_text(found)}{_pending_text(found)}")
    lines.extend(_unseen_lines(unseen))
    return "\n".join(lines)


def _unseen_lines(unseen: Sequence[Unseen]) -> list[str]:
    if not unseen:
        return []
    return ["not seen:", *(f"  {u.count} {u.what}" for u in unseen)]


def criterion_text(judgement: Judgement) -> str:
    c = judgement.criterion
    unit = " s" if c.metric == DURATION else ""
    confidence = f" at {c.confidence:g} confidence" if c.confidence else ""
    return (
        f"{c.metric} {c.comparison.value} {c.threshold:g}{unit}{confidence} over "
        f"{c.window_days}d (min {c.min_samples} samples)"
    )


def measured_text(judgement: Judgement) -> str:
    found = judgement.measurement
    if found.value is None:
        measured = "no data"
    elif found.metric == DURATION:
        measured = f"p50 {found.value / 1000:g} s of {found.denominator} turns"
    else:
        measured = f"{found.value:.4f} ({found.numerator}/{found.denominator})"
    if judgement.compared is not None and (
        judgement.criterion.confidence or judgement.criterion.comparison.value == "not-rising"
    ):
        what = "rise" if judgement.criterion.comparison.value == "not-rising" else "bound"
        measured += f", {what} {judgement.compared:.4f}"
    if judgement.short:
        measured += f", {judgement.short} more samples needed"
    return measured


def action_text(action: RollbackAction) -> str:
    if action.demote_by is not None:
        return f"demote by {action.demote_by}"
    if action.demote_to is not None:
        return f"demote to {action.demote_to.value} {action.demote_to.id}"
    assert action.reset_to is not None
    return f"reset to {action.reset_to.value} {action.reset_to.id}"


def _trigger_text(standing: TriggerStanding) -> str:
    action = action_text(standing.trigger.action)
    if standing.judgement is None:
        firing = ", ".join(i.id for i in standing.incidents)
        state = f"BREACHED by open incident {firing}" if standing.breached else "no open incident"
        return f"incident {standing.trigger.incident} -> {action}: {state}"
    judgement = standing.judgement
    if judgement.verdict.value == "insufficient":
        state = "insufficient (cannot fire)"
    elif standing.breached:
        state = "BREACHED"
    else:
        state = "holds"
    headroom = "" if judgement.margin is None else f", headroom {-judgement.margin:.4f}"
    return f"{criterion_text(judgement)} -> {action}: {measured_text(judgement)}{headroom}: {state}"


def _incident_text(incident: Incident) -> str:
    state = "open" if incident.resolved is None else f"resolved {iso(incident.resolved)}"
    note = f": {incident.note}" if incident.note else ""
    return (
        f"incident {incident.id} ({incident.severity or 'no severity'}) {iso(incident.time)}, "
        f"{state}{note}; evidence windows restart there"
    )


def _policy_text(found: PolicyInForce) -> str:
    where = f"policy in force: {found.label} ({found.origin})"
    if found.working_copy_differs and "working copy differs" not in found.note:
        where += "; the working copy differs: it is a proposal until merged"
    if found.refusal:
        where += f"; REFUSED: {found.refusal}"
    elif found.note:
        where += f"; {found.note}"
    return where


def status_text(
    found: PolicyInForce,
    at: str,
    standings: Sequence[ClassStanding],
    effective: Mapping[str, tuple[int, str]],
    unseen: Sequence[Unseen],
) -> str:
    lines = [_policy_text(found), f"measured at {at[:SHORT]}"]
    for s in standings:
        level, why = effective[s.name]
        acting = f"acts at {level}" + (f": {why}" if why else "")
        lines.append(f"{s.name}: level {s.level.value} {s.level.id}, {acting}")
        if s.next_level is None:
            lines.append("  top of the ladder")
        elif not s.exit_criteria:
            lines.append(f"  to {s.next_level.value} {s.next_level.id}: no exit criteria")
        else:
            lines.append(f"  to {s.next_level.value} {s.next_level.id}:")
            for j in s.exit_criteria:
                lines.append(f"    {j.verdict.value:<12} {criterion_text(j)}: {measured_text(j)}")
        if s.triggers:
            lines.append("  rollback:")
            lines.extend(f"    {_trigger_text(t)}" for t in s.triggers)
        lines.extend(f"  {_incident_text(i)}" for i in s.incidents)
    lines.extend(_unseen_lines(unseen))
    return "\n".join(lines)


def judgement_json(j: Judgement) -> dict[str, Any]:
    c = j.criterion
    return {
        "metric": c.metric,
        "op": c.comparison.value,
        "threshold": c.threshold,
        "window": f"{c.window_days}d",
        "min_samples": c.min_samples,
        "confidence": c.confidence,
        "measured": measurement_json(j.measurement),
        "compared": _round(j.compared),
        "samples": j.measurement.denominator,
        "verdict": j.verdict.value,
        "margin": _round(j.margin),
        "short": j.short,
    }


def status_json(
    found: PolicyInForce,
    at: str,
    standings: Sequence[ClassStanding],
    effective: Mapping[str, tuple[int, str]],
    unseen: Sequence[Unseen],
) -> str:
    classes: dict[str, Any] = {}
    for s in standings:
        level, why = effective[s.name]
        triggers = []
        for t in s.triggers:
            item: dict[str, Any] = {
                "action": action_text(t.trigger.action),
                "breached": t.breached,
            }
            if t.judgement is None:
                item.update(incident=t.trigger.incident, incidents=[i.id for i in t.incidents])
            else:
                item.update(judgement_json(t.judgement))
                item["headroom"] = (
                    None if t.judgement.margin is None else _round(-t.judgement.margin)
                )
            triggers.append(item)
        classes[s.name] = {
            "level": s.level.value,
            "effective_level": level,
            "effective_why": why,
            "next_level": s.next_level.value if s.next_level else None,
            "exit_criteria": [judgement_json(j) for j in s.exit_criteria],
            "rollback": triggers,
            "incidents": [
                {
                    "id": i.id,
                    "severity": i.severity,
                    "opened": iso(i.time),
                    "resolved": None if i.resolved is None else iso(i.resolved),
                    "note": i.note,
                    "commit": i.commit,
                }
                for i in s.incidents
            ],
        }
    report = {
        "v": REPORT_VERSION,
        "at": at,
        "policy": {
            "label": found.label,
            "origin": found.origin,
            "working_copy_differs": found.working_copy_differs,
            "refusal": found.refusal,
        },
        "task_classes": classes,
        "unseen": _unseen_json(unseen),
    }
    return json.dumps(report, indent=2)
