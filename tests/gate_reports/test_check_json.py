"""``check_json``: versioned, stable key order, and everything the report holds comes back
out of it."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from agentgov.evidence.windows import Incident
from agentgov.gate.model import (
    ChangeKind,
    CheckReport,
    Demotion,
    Finding,
    Location,
    PolicyChange,
    Severity,
)
from agentgov.policy.model import Level, RollbackAction, RollbackTrigger
from agentgov.reporters.check_json import check_json
from tests.gate_reports import AT, BASE, DAY, HEAD, many_findings, sample_report


def _location(data: dict[str, Any] | None) -> Location | None:
    return None if data is None else Location(data["path"], data["line"], data["col"])


def test_findings_and_changes_round_trip() -> None:
    report = sample_report()
    data = json.loads(check_json(report))
    findings = tuple(
        Finding(
            f["rule"],
            Severity(f["severity"]),
            f["message"],
            f["remediation"],
            _location(f["location"]),
        )
        for f in data["findings"]
    )
    changes = tuple(
        PolicyChange(
            ChangeKind(c["kind"]),
            c["key"],
            c["words"],
            tuple(c["classes"]),
            _location(c["location"]),
        )
        for c in data["changes"]
    )
    assert findings == report.findings
    assert changes == report.changes
    assert (data["v"], data["base"], data["head"]) == (1, BASE, HEAD)
    assert data["passed"] is False
    assert data["protected"] is False
    assert data["checks"] == list(report.checks)


def test_stable_key_order_and_bytes() -> None:
    report = sample_report()
    text = check_json(report)
    assert text == check_json(sample_report())
    data = json.loads(text)
    assert list(data) == [
        "v",
        "base",
        "head",
        "protected",
        "passed",
        "checks",
        "findings",
        "changes",
        "raises",
        "demotions",
    ]
    assert list(data["findings"][0]) == ["rule", "severity", "message", "remediation", "location"]
    assert list(data["findings"][0]["location"]) == ["path", "line", "col"]
    criterion = data["raises"][0]["levels"][0]["criteria"][0]
    assert list(criterion) == [
        "metric",
        "op",
        "threshold",
        "window",
        "min_samples",
        "confidence",
        "value",
        "numerator",
        "denominator",
        "low",
        "high",
        "compared",
        "margin",
        "verdict",
        "short",
        "from",
        "to",
    ]
    assert text.startswith('{\n  "v": 1,\n  "base": ')  # indent 2


def test_raise_carries_every_judged_criterion() -> None:
    report = sample_report()
    raised = report.raises[0]
    (judgement,) = raised.judgements[0][1]
    (data,) = json.loads(check_json(report))["raises"]
    assert {k: data[k] for k in ("task_class", "evidence_class", "from", "to", "because")} == {
        "task_class": "tests",
        "evidence_class": "tests",
        "from": 3,
        "to": 4,
        "because": "level raised",
    }
    assert data["proven"] is False
    assert data["location"] == {"path": ".agentgov/policy.yaml", "line": 9, "col": 12}
    (level,) = data["levels"]
    assert level["level"] == 4
    (criterion,) = level["criteria"]
    assert criterion == {
        "metric": "approval_rate",
        "op": ">=",
        "threshold": 0.95,
        "window": "14d",
        "min_samples": 50,
        "confidence": None,
        "value": 0.9,
        "numerator": 45,
        "denominator": 50,
        "low": round(judgement.measurement.low or 0, 4),
        "high": round(judgement.measurement.high or 0, 4),
        "compared": 0.9,
        "margin": -0.05,
        "verdict": "fail",
        "short": 0,
        "from": "2026-11-18T00:00:00Z",
        "to": "2026-12-02T00:00:00Z",
    }


def test_demotions_by_trigger_and_by_incident() -> None:
    report = sample_report()
    incident = Incident("INC-7", "docs", AT - 2 * DAY, "sev1", "bad deploy", "c0ffee" * 6 + "ab")
    by_incident = Demotion(
        "docs",
        Level.EXECUTE_SANDBOXED,
        Level.PROPOSE,
        RollbackTrigger(RollbackAction(demote_to=Level.PROPOSE), incident="sev1"),
        None,
        (incident,),
        applied=True,
    )
    data = json.loads(check_json(replace(report, demotions=(*report.demotions, by_incident))))
    breached, opened = data["demotions"]
    assert breached["criterion"]["metric"] == "deny_rate"
    assert breached["criterion"]["verdict"] == "pass"
    assert (breached["from"], breached["to"], breached["action"]) == (4, 3, "demote by 1")
    assert breached["applied"] is False
    assert breached["incidents"] == []
    assert opened == {
        "task_class": "docs",
        "from": 4,
        "to": 2,
        "action": "demote to 2 propose",
        "incident": "sev1",
        "criterion": None,
        "incidents": [
            {
                "id": "INC-7",
                "task_class": "docs",
                "severity": "sev1",
                "opened": "2026-11-30T00:00:00Z",
                "resolved": None,
                "note": "bad deploy",
                "commit": "c0ffee" * 6 + "ab",
            }
        ],
        "applied": True,
    }


def test_passed_follows_errors_only() -> None:
    warnings = CheckReport(BASE, HEAD, many_findings(3, Severity.WARNING))
    assert json.loads(check_json(warnings))["passed"] is True
    errors = CheckReport(BASE, HEAD, many_findings(1))
    assert json.loads(check_json(errors))["passed"] is False
    empty = json.loads(check_json(CheckReport(BASE, HEAD, ())))
    assert empty["findings"] == empty["changes"] == empty["raises"] == empty["demotions"] == []
