"""``agentgov check --format text``: the report for people (docs/ci.md#report-text).

A header (what was judged, which checks ran), every finding as ``LOCATION: severity
rule-id: message`` with its ``fix:`` below, each raise with its evidence table, each
demotion, and the verdict as the last line.
"""

from __future__ import annotations

from collections.abc import Sequence

from agentgov.gate.model import CheckReport, Finding
from agentgov.reporters.judgement_words import (
    EVIDENCE_HEADERS,
    demotion_words,
    evidence_rows,
    raise_words,
    span_words,
    verdict_words,
)


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str) -> list[str]:
    """Columns padded to their widest cell, two spaces apart; no trailing spaces."""
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=True)]
    return [
        (
            indent + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        ).rstrip()
        for row in (headers, *rows)
    ]


def finding_lines(finding: Finding) -> list[str]:
    where = f"{finding.location}: " if finding.location else ""
    return [
        f"{where}{finding.severity.value} {finding.rule}: {finding.message}",
        f"  fix: {finding.remediation}",
    ]


def check_text(report: CheckReport) -> str:
    lines = [
        f"agentgov check {span_words(report.base, report.head, report.protected)}",
        f"checks: {', '.join(report.checks) or 'none'}",
    ]
    if report.findings:
        lines.append("")
        for finding in report.findings:
            lines.extend(finding_lines(finding))
    if report.raises:
        lines += ["", "raises:"]
        for raised in report.raises:
            where = f" ({raised.location})" if raised.location else ""
            lines.append(f"  {raise_words(raised)}{where}")
            rows = [row.cells for row in evidence_rows(raised)]
            lines.extend(text_table(EVIDENCE_HEADERS, rows, "    "))
    if report.demotions:
        lines += ["", "demotions:"]
        lines.extend(f"  {demotion_words(d)}" for d in report.demotions)
    lines += ["", verdict_words(report.failed, report.findings)]
    return "\n".join(lines)
