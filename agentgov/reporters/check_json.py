"""``agentgov check --format json``: the whole report for machines, versioned ``"v": 1``
(docs/ci.md#report-json).

Keys come in a fixed order and lists in the order the checks found them, so two runs on
the same commits print the same bytes. Levels are numbers (1..5), as ``status`` prints
them; times are ISO 8601 UTC.
"""

from __future__ import annotations

import json
from typing import Any

from agentgov.evidence.verdicts import Judgement
from agentgov.evidence.windows import Incident
from agentgov.gate.model import CheckReport, Demotion, Finding, Location, PolicyChange, Raise
from agentgov.reporters.evidence_report import (
    REPORT_VERSION,
    action_text,
    iso,
    judgement_json,
    measurement_json,
)


def location_json(location: Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    return {"path": location.path, "line": location.line, "col": location.col}


def finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "message": finding.message,
        "remediation": finding.remediation,
        "location": location_json(finding.location),
    }


def change_json(change: PolicyChange) -> dict[str, Any]:
    return {
        "kind": change.kind.value,
        "key": change.key,
        "words": change.words,
        "classes": list(change.classes),
        "location": location_json(change.location),
    }


def criterion_json(judgement: Judgement) -> dict[str, Any]:
    """One judged criterion, flat: the criterion, what was measured in which window, and
    the verdict (status's ``judgement_json`` and ``measurement_json``, rounded alike)."""
    judged = judgement_json(judgement)
    measured = measurement_json(judgement.measurement)
    data = {
        "metric": judged["metric"],
        "op": judged["op"],
        "threshold": judged["threshold"],
        "window": judged["window"],
        "min_samples": judged["min_samples"],
        "confidence": judged["confidence"],
        "value": measured["value"],
        "numerator": measured["numerator"],
        "denominator": measured["denominator"],
        "low": measured["low"],
        "high": measured["high"],
        "compared": judged["compared"],
        "margin": judged["margin"],
        "verdict": judged["verdict"],
        "short": judged["short"],
        "from": measured["from"],
        "to": measured["to"],
    }
    if "restarted_by" in measured:
        data["restarted_by"] = measured["restarted_by"]
    return data


def raise_json(raised: Raise) -> dict[str, Any]:
    return {
        "task_class": raised.task_class,
        "evidence_class": raised.evidence_class,
        "from": raised.from_level.value,
        "to": raised.to_level.value,
        "because": raised.because,
        "proven": raised.proven,
        "location": location_json(raised.location),
        "levels": [
            {"level": level.value, "criteria": [criterion_json(j) for j in judged]}
            for level, judged in raised.judgements
        ],
    }


def incident_json(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "task_class": incident.task_class,
        "severity": incident.severity,
        "opened": iso(incident.time),
        "resolved": None if incident.resolved is None else iso(incident.resolved),
        "note": incident.note,
        "commit": incident.commit,
    }


def demotion_json(demotion: Demotion) -> dict[str, Any]:
    trigger = demotion.trigger
    return {
        "task_class": demotion.task_class,
        "from": demotion.from_level.value,
        "to": demotion.to_level.value,
        "action": action_text(trigger.action),
        "incident": trigger.incident,
        "criterion": None if demotion.judgement is None else criterion_json(demotion.judgement),
        "incidents": [incident_json(i) for i in demotion.incidents],
        "applied": demotion.applied,
    }


def check_dict(report: CheckReport) -> dict[str, Any]:
    return {
        "v": REPORT_VERSION,
        "base": report.base,
        "head": report.head,
        "protected": report.protected,
        "passed": not report.failed,
        "checks": list(report.checks),
        "findings": [finding_json(f) for f in report.findings],
        "changes": [change_json(c) for c in report.changes],
        "raises": [raise_json(r) for r in report.raises],
        "demotions": [demotion_json(d) for d in report.demotions],
    }


def check_json(report: CheckReport) -> str:
    return json.dumps(check_dict(report), indent=2)
