"""``check_sarif``: valid against the official SARIF 2.1.0 schema (OASIS, kept in
tests/data), every rule listed, a location on every result, stable fingerprints."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from jsonschema import validators
from jsonschema.exceptions import ValidationError

from agentgov.gate import findings as found
from agentgov.gate.model import CheckReport, Finding, Location, Severity
from agentgov.gate.rules import CHECK_RULES, DOCS_URL
from agentgov.reporters.check_sarif import SARIF_SCHEMA, check_sarif
from tests.gate_reports import BASE, HEAD, many_findings, raise_of_tests, sample_report

SCHEMA = json.loads(
    (Path(__file__).parent.parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)
VERSION = "1.2.3"


def _validate(document: dict[str, Any]) -> None:
    """Validate with the draft the schema declares (draft-04 for the OASIS schema)."""
    validator = validators.validator_for(SCHEMA)
    validator.check_schema(SCHEMA)
    validator(SCHEMA).validate(document)


def _sarif(report: CheckReport, **options: int) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(check_sarif(report, VERSION, **options))
    return document


def _fingerprints(report: CheckReport) -> list[str]:
    return [
        r["partialFingerprints"]["primaryLocationLineHash"]
        for r in _sarif(report)["runs"][0]["results"]
    ]


def test_the_schema_is_the_oasis_2_1_0_one() -> None:
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert validators.validator_for(SCHEMA) is validators.Draft4Validator
    assert SCHEMA["id"] == SARIF_SCHEMA
    assert SCHEMA["properties"]["version"]["enum"] == ["2.1.0"]


@pytest.mark.parametrize(
    "report",
    [
        CheckReport(BASE, HEAD, ()),
        sample_report(),
        CheckReport(BASE, HEAD, many_findings(300) + many_findings(40, Severity.NOTE)),
        CheckReport(
            BASE,
            HEAD,
            tuple(replace(f, location=None) for f in many_findings(5, Severity.WARNING)),
        ),
    ],
    ids=["empty", "sample", "many", "no-locations"],
)
def test_valid_sarif(report: CheckReport) -> None:
    document = _sarif(report)
    _validate(document)
    assert document["$schema"] == SARIF_SCHEMA
    assert document["version"] == "2.1.0"
    (run,) = document["runs"]
    assert len(run["results"]) == len(report.findings)
    assert run["invocations"] == [{"executionSuccessful": True}]
    assert run["automationDetails"] == {"id": "agentgov/check/"}


@pytest.mark.parametrize(
    "breaks",
    [
        lambda d: d["runs"][0]["results"][0].pop("message"),
        lambda d: d["runs"][0]["results"][0].update(level="fatal"),
        lambda d: d.update(version="2.0.0"),
        lambda d: d["runs"][0]["tool"]["driver"].pop("name"),
        lambda d: d["runs"][0]["results"][0]["locations"][0]["physicalLocation"].update(
            region={"startLine": 0}
        ),
    ],
    ids=["no-message", "bad-level", "bad-version", "unnamed-driver", "line-0"],
)
def test_broken_sarif_is_rejected(breaks: Any) -> None:
    document = _sarif(sample_report())
    _validate(copy.deepcopy(document))
    breaks(document)
    with pytest.raises(ValidationError):
        _validate(document)


def test_driver_lists_every_rule() -> None:
    driver = _sarif(sample_report())["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"], driver["informationUri"]) == (
        "agentgov",
        VERSION,
        DOCS_URL,
    )
    assert [r["id"] for r in driver["rules"]] == list(CHECK_RULES)
    for descriptor, rule in zip(driver["rules"], CHECK_RULES.values(), strict=True):
        assert descriptor["helpUri"] == rule.help_uri
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert rule.help_uri in descriptor["help"]["text"]
        assert f"]({rule.help_uri})" in descriptor["help"]["markdown"]
        assert rule.summary in descriptor["fullDescription"]["text"]
    names = {r["id"]: (r["name"], r["defaultConfiguration"]["level"]) for r in driver["rules"]}
    assert names["check.raise-unproven"] == ("RaiseUnproven", "error")
    assert names["check.loosened"] == ("Loosened", "warning")


def test_results_name_their_rule_level_message_and_location() -> None:
    report = sample_report()
    run = _sarif(report)["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for finding, result in zip(report.findings, run["results"], strict=True):
        assert result["ruleId"] == finding.rule
        assert rules[result["ruleIndex"]] == finding.rule
        assert (
            result["level"]
            == {"error": "error", "warning": "warning", "note": "note"}[finding.severity.value]
        )
        assert result["message"]["text"] == f"{finding.message}\nfix: {finding.remediation}"
    raised, _, due, trail = (r["locations"] for r in run["results"])
    assert raised == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": ".agentgov/policy.yaml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 9, "startColumn": 12},
            }
        }
    ]
    # a file without a line: no region
    assert "region" not in due[0]["physicalLocation"]
    # no location at all: line 1 of the policy file, as code scanning needs one
    assert trail[0]["physicalLocation"] == {
        "artifactLocation": {"uri": ".agentgov/policy.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 1, "startColumn": 1},
    }
    assert run["properties"] == {
        "base": BASE,
        "head": HEAD,
        "protected": False,
        "passed": False,
        "checks": list(report.checks),
    }


def test_paths_are_uri_encoded() -> None:
    odd = Finding(
        "check.agent-governance-edit", Severity.ERROR, "m", "r", Location("a b/#1%.md", 2)
    )
    (result,) = _sarif(CheckReport(BASE, HEAD, (odd,)))["runs"][0]["results"]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "a%20b/%231%25.md"


def test_fingerprint_stable_across_runs_with_new_evidence() -> None:
    """The same unearned raise, measured a week later with more samples and another
    window, keeps its alert; so does a finding whose line moved."""
    first = sample_report()
    later_raise = replace(
        raise_of_tests(88, 99), location=Location(".agentgov/policy.yaml", 14, 12)
    )
    later = sample_report()
    later = replace(later, findings=(*found.raise_findings([later_raise]), *later.findings[1:]))
    assert later.findings[0].message != first.findings[0].message
    assert _fingerprints(later) == _fingerprints(first)
    assert _fingerprints(first) == _fingerprints(sample_report())


def test_fingerprint_tells_findings_apart() -> None:
    prints = _fingerprints(sample_report())
    assert len(set(prints)) == len(prints)
    assert all(p.endswith(":1") and len(p.split(":")[0]) == 16 for p in prints)
    # same rule and message text, another file: another alert
    a = Finding(
        "check.agent-governance-edit", Severity.ERROR, "changes it", "r", Location("A.md", 1)
    )
    b = replace(a, location=Location("B.md", 1))
    pa, pb = _fingerprints(CheckReport(BASE, HEAD, (a, b)))
    assert pa.split(":")[0] != pb.split(":")[0]


def test_same_stable_text_counts_occurrences() -> None:
    """Findings that differ only in numbers (commit ids, lines) share a hash; ``:N`` keeps
    them apart, in report order."""
    prints = _fingerprints(CheckReport(BASE, HEAD, many_findings(3)))
    hashes = {p.split(":")[0] for p in prints}
    assert len(hashes) == 1
    assert [p.split(":")[1] for p in prints] == ["1", "2", "3"]


def test_results_beyond_githubs_limit_keep_the_errors() -> None:
    findings = (
        *many_findings(4, Severity.NOTE),
        *many_findings(3),
        *many_findings(2, Severity.WARNING),
    )
    document = _sarif(CheckReport(BASE, HEAD, findings), max_results=5)
    _validate(document)
    (run,) = document["runs"]
    assert [r["level"] for r in run["results"]] == ["error"] * 3 + ["warning"] * 2
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is True
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["message"]["text"].startswith("4 of 9 findings left out")
    # the fingerprints are those of the full run, not renumbered by the cut
    full = _fingerprints(CheckReport(BASE, HEAD, findings))
    kept = [r["partialFingerprints"]["primaryLocationLineHash"] for r in run["results"]]
    assert kept == full[4:]


def test_unlisted_rule_still_named_by_index() -> None:
    other = Finding("scan.secret", Severity.ERROR, "a key", "remove it", Location("x.env", 1))
    document = _sarif(CheckReport(BASE, HEAD, (other,)))
    _validate(document)
    run = document["runs"][0]
    (result,) = run["results"]
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "scan.secret"
    assert len(run["tool"]["driver"]["rules"]) == len(CHECK_RULES) + 1
