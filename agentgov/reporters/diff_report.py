"""``agentgov diff``: what a policy change does, for its reviewer (docs/ci.md#agentgov-diff).

Three parts: what changed, in plain words and grouped (raises, loosenings to review,
tightenings, other); the evidence table of each raised level; and the verdict ``check``
gives, with its findings. Markdown (the default) is fit to post as a pull request comment:
GitHub refuses a comment over 65,536 characters (``COMMENT_CAP``), so a longer one is cut
row by row, findings last, and says what was left out. Text is the same for a terminal; JSON
is versioned ``"v": 1``.
"""

from __future__ import annotations

import json
from typing import Any

from agentgov.gate.model import CheckReport
from agentgov.reporters.check_github import (
    Part,
    change_parts,
    evidence_parts,
    findings_part,
    fit_markdown,
    md_escape,
)
from agentgov.reporters.check_json import change_json, finding_json, raise_json
from agentgov.reporters.check_text import finding_lines, text_table
from agentgov.reporters.evidence_report import REPORT_VERSION
from agentgov.reporters.judgement_words import (
    CHANGE_GROUPS,
    EVIDENCE_HEADERS,
    SEVERITY_ORDER,
    by_severity,
    change_words,
    evidence_rows,
    grouped_changes,
    raise_words,
    span_words,
    verdict_words,
)

COMMENT_CAP = 65_536
"""GitHub's limit on a comment's body, in characters."""
FULL_DIFF = "`agentgov diff --format json` and `agentgov check --format json`"
NO_CHANGE = "No policy change."


def _title(report: CheckReport) -> str:
    return f"agentgov diff {span_words(report.base, report.head, report.protected)}"


def diff_markdown(report: CheckReport, cap: int = COMMENT_CAP) -> str:
    top = [f"### {md_escape(_title(report))}"]
    changes = change_parts(report, "What changed") or [
        Part("policy changes", ("", "#### What changed", "", NO_CHANGE))
    ]
    parts = [
        *changes,
        *evidence_parts(report, "Evidence for the raised levels"),
        findings_part(report.findings, verdict_words(report.failed, report.findings)),
    ]
    limit = f"GitHub's comment limit ({cap} characters)"
    return fit_markdown(top, parts, cap, len, limit, FULL_DIFF)


def diff_text(report: CheckReport) -> str:
    lines = [_title(report), "", "what changed:"]
    groups = grouped_changes(report.changes)
    if not groups:
        lines.append(f"  {NO_CHANGE}")
    for title, changes in groups:
        lines.append(f"  {title}:")
        lines.extend(f"    {change_words(c)}" for c in changes)
    if report.raises:
        lines += ["", "evidence for the raised levels:"]
        for raised in report.raises:
            where = f" ({raised.location})" if raised.location else ""
            lines.append(f"  {raise_words(raised)}{where}")
            rows = [row.cells for row in evidence_rows(raised)]
            lines.extend(text_table(EVIDENCE_HEADERS, rows, "    "))
    lines += ["", verdict_words(report.failed, report.findings)]
    for finding in by_severity(report.findings):
        lines.extend(f"  {line}" for line in finding_lines(finding))
    return "\n".join(lines)


def diff_dict(report: CheckReport) -> dict[str, Any]:
    counts = {
        f"{severity.value}s": sum(1 for f in report.findings if f.severity is severity)
        for severity in SEVERITY_ORDER
    }
    return {
        "v": REPORT_VERSION,
        "base": report.base,
        "head": report.head,
        "protected": report.protected,
        "changes": {
            kind.value: [change_json(c) for c in report.changes if c.kind is kind]
            for kind, _ in CHANGE_GROUPS
        },
        "raises": [raise_json(r) for r in report.raises],
        "verdict": {
            "passed": not report.failed,
            **counts,
            "findings": [finding_json(f) for f in by_severity(report.findings)],
        },
    }


def diff_json(report: CheckReport) -> str:
    return json.dumps(diff_dict(report), indent=2)
