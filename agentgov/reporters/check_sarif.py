"""``agentgov check --format sarif``: SARIF 2.1.0 for code scanning (docs/ci.md#report-sarif).

One run: ``tool.driver`` lists every check rule (``gate/rules.py``) with its help URI, each
finding is a result that names its rule by id and index, and the run's
``automationDetails.id`` is ``agentgov/check/``: GitHub keeps these alerts apart from other
analyses' and replaces them only with a later upload of ``check``.

Locations. GitHub code scanning needs a location on every result: a finding that has none
(an audit trail problem, a note that no trail was fetched) is placed on line 1 of the
policy file, ``.agentgov/policy.yaml``, the file that governs what ``check`` judges. Paths
are repository-relative URIs against ``%SRCROOT%``; a region is given when the line is
known (and its column when that is).

Fingerprints. ``partialFingerprints.primaryLocationLineHash`` is how GitHub recognises a
result as the same alert on a later run. GitHub computes it for source code as a hash of
the line's text plus ``:N``, the occurrence of that hash in the file. A finding has no line
text of its own that stays put, so the hash here is of what identifies the finding: the
rule id, the path, and the message with what changes from run to run masked (commit ids,
measured values, counts and times: every run of digits and every hex commit id). The line
number is left out as GitHub leaves it out, so an edit above the finding does not make it a
new alert. ``:N`` counts the same hash within the run, in report order, so two findings
that differ only in their numbers stay two alerts.

GitHub accepts at most 25,000 results per run (``MAX_RESULTS``): beyond that the errors are
kept first, then warnings, then notes, and the invocation's notification says how many were
left out and that the JSON report has them all.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from typing import Any
from urllib.parse import quote

from agentgov.gate.model import CheckReport, Finding, Location, Severity
from agentgov.gate.rules import CHECK_RULES, DOCS_URL, CheckRule
from agentgov.policy.in_force import POLICY_PATH
from agentgov.reporters.judgement_words import SEVERITY_ORDER

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
"""The OASIS standard's schema of SARIF 2.1.0 (its ``id``)."""
SARIF_VERSION = "2.1.0"
AUTOMATION_ID = "agentgov/check/"
SRCROOT = "%SRCROOT%"
MAX_RESULTS = 25_000
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}

_VOLATILE = re.compile(r"\b(?=[0-9a-f]*[0-9])[0-9a-f]{7,40}\b|[0-9]+")


def rule_name(rule_id: str) -> str:
    """``check.raise-unproven`` -> ``RaiseUnproven``."""
    words = rule_id.split(".", 1)[-1].replace("_", "-").split("-")
    return "".join(word[:1].upper() + word[1:] for word in words if word)


def rule_json(rule: CheckRule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule_name(rule.id),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": f"{rule.summary} See {rule.help_uri}"},
        "helpUri": rule.help_uri,
        "help": {
            "text": f"{rule.summary} What it checks and how to fix it: {rule.help_uri}",
            "markdown": f"{rule.summary}\n\n[docs/{rule.page}#{rule.id}]({rule.help_uri})",
        },
        "defaultConfiguration": {"level": rule.level},
    }


def _unlisted_rule_json(rule_id: str) -> dict[str, Any]:
    """A descriptor for a rule id ``CHECK_RULES`` does not list, so its results still name
    a rule by index."""
    return {
        "id": rule_id,
        "name": rule_name(rule_id),
        "shortDescription": {"text": rule_id},
        "defaultConfiguration": {"level": "error"},
    }


def stable_message(message: str) -> str:
    """The message with what changes between runs (hex commit ids, digits) masked as ``#``."""
    return _VOLATILE.sub("#", message)


def line_hash(rule: str, path: str, message: str) -> str:
    key = "\0".join((rule, path, stable_message(message)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def reported_location(finding: Finding) -> Location:
    """The finding's location, or line 1 of the policy file when it has none."""
    return finding.location or Location(POLICY_PATH, 1, 1)


def _physical(location: Location) -> dict[str, Any]:
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": quote(location.path, safe="/"), "uriBaseId": SRCROOT}
    }
    if location.line:
        region = {"startLine": location.line}
        if location.col:
            region["startColumn"] = location.col
        physical["region"] = region
    return physical


def result_json(finding: Finding, rule_index: int, fingerprint: str) -> dict[str, Any]:
    return {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVEL[finding.severity],
        "message": {"text": f"{finding.message}\nfix: {finding.remediation}"},
        "locations": [{"physicalLocation": _physical(reported_location(finding))}],
        "partialFingerprints": {"primaryLocationLineHash": fingerprint},
    }


def fingerprints(findings: tuple[Finding, ...]) -> list[str]:
    """``primaryLocationLineHash`` of each finding, in report order: the hash and ``:N``,
    the occurrence of that hash so far."""
    seen = Counter[str]()
    found = []
    for finding in findings:
        hashed = line_hash(finding.rule, reported_location(finding).path, finding.message)
        seen[hashed] += 1
        found.append(f"{hashed}:{seen[hashed]}")
    return found


def _kept(findings: tuple[Finding, ...], limit: int) -> list[int]:
    """The positions of all findings, or of the ``limit`` most severe, in report order."""
    if len(findings) <= limit:
        return list(range(len(findings)))
    rank = {severity: i for i, severity in enumerate(SEVERITY_ORDER)}
    chosen = sorted(range(len(findings)), key=lambda i: rank[findings[i].severity])[:limit]
    return sorted(chosen)


def check_sarif_dict(
    report: CheckReport, version: str, max_results: int = MAX_RESULTS
) -> dict[str, Any]:
    rules = [rule_json(rule) for rule in CHECK_RULES.values()]
    index = {rule.id: i for i, rule in enumerate(CHECK_RULES.values())}
    prints = fingerprints(report.findings)
    results = []
    kept = _kept(report.findings, max_results)
    for position in kept:
        finding = report.findings[position]
        if finding.rule not in index:
            index[finding.rule] = len(rules)
            rules.append(_unlisted_rule_json(finding.rule))
        results.append(result_json(finding, index[finding.rule], prints[position]))
    invocation: dict[str, Any] = {"executionSuccessful": True}
    left_out = len(report.findings) - len(kept)
    if left_out:
        invocation["toolExecutionNotifications"] = [
            {
                "level": "warning",
                "message": {
                    "text": f"{left_out} of {len(report.findings)} findings left out: GitHub "
                    f"accepts at most {max_results} results per run (the most severe are "
                    "kept); `agentgov check --format json` reports them all"
                },
            }
        ]
    driver = {
        "name": "agentgov",
        "version": version,
        "informationUri": DOCS_URL,
        "rules": rules,
    }
    run = {
        "tool": {"driver": driver},
        "automationDetails": {"id": AUTOMATION_ID},
        "invocations": [invocation],
        "results": results,
        "properties": {
            "base": report.base,
            "head": report.head,
            "protected": report.protected,
            "passed": not report.failed,
            "checks": list(report.checks),
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def check_sarif(report: CheckReport, version: str, max_results: int = MAX_RESULTS) -> str:
    return json.dumps(check_sarif_dict(report, version, max_results), indent=2)
