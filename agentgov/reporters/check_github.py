"""``agentgov check --format github``: annotations and the job summary for GitHub Actions
(docs/ci.md#report-github).

``annotations`` are workflow commands (``::error file=F,line=L,col=C,title=T::message``),
printed to the step's log, where GitHub turns them into annotations on the run and the pull
request. GitHub shows at most 10 of each kind per step (50 per job) and silently drops the
rest, so at most ``ANNOTATIONS_PER_KIND`` are printed per kind; when a kind has more, its
last one says how many more the job summary lists.

``summary`` is Markdown for ``$GITHUB_STEP_SUMMARY`` and carries everything: the verdict,
the findings, the evidence table of each raise, the demotions and the policy changes. A
step's summary is capped at 1 MiB (``SUMMARY_CAP`` bytes of UTF-8); one that would be
larger is cut row by row (findings last: the verdict, evidence, demotions and changes are
kept first) and says how many rows were left out and where the full report is.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from agentgov.gate.model import CheckReport, Finding, Severity
from agentgov.gate.rules import CHECK_RULES
from agentgov.reporters.judgement_words import (
    EVIDENCE_HEADERS,
    SEVERITY_ORDER,
    by_severity,
    change_words,
    counts_words,
    demotion_words,
    evidence_rows,
    grouped_changes,
    raise_words,
    span_words,
    verdict_words,
)

ANNOTATIONS_PER_KIND = 10
SUMMARY_CAP = 1_048_576
"""GitHub's limit on one step's summary: 1 MiB."""
COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}
FINDING_HEADERS = ("severity", "rule", "location", "message", "fix")
FULL_REPORT = "the JSON and SARIF reports (`agentgov check --format json`, `--format sarif`)"

_MARKDOWN = re.compile(r"([\\`*_\[\]<>&|~])")
_NEWLINE = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class GithubOutput:
    annotations: str
    """Workflow commands for the step's log (stdout), ending with the verdict line."""
    summary: str
    """Markdown to append to ``$GITHUB_STEP_SUMMARY``; at most the cap in UTF-8 bytes."""


def command_data(text: str) -> str:
    """A workflow command's message: ``%``, CR and LF escaped as GitHub reads them."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def command_property(text: str) -> str:
    """A workflow command's property value: the data escapes, plus ``:`` and ``,``."""
    return command_data(text).replace(":", "%3A").replace(",", "%2C")


def md_escape(text: str) -> str:
    """Text as Markdown that renders as itself, safe in a table cell: Markdown's and HTML's
    punctuation backslash-escaped (a commit subject cannot open a tag, a comment or a link,
    ``|`` cannot end a cell), line breaks as ``<br>``."""
    return _NEWLINE.sub("<br>", _MARKDOWN.sub(r"\\\1", text))


def md_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def md_table_head(headers: Sequence[str]) -> tuple[str, str]:
    return md_row(headers), md_row(["---"] * len(headers))


def _annotation(finding: Finding) -> str:
    props = []
    where = finding.location
    if where is not None:
        props.append(f"file={command_property(where.path)}")
        if where.line:
            props.append(f"line={where.line}")
            if where.col:
                props.append(f"col={where.col}")
    props.append(f"title={command_property('agentgov ' + finding.rule)}")
    message = f"{finding.message}\nfix: {finding.remediation}"
    return f"::{COMMAND[finding.severity]} {','.join(props)}::{command_data(message)}"


def annotation_lines(
    findings: Sequence[Finding], per_kind: int = ANNOTATIONS_PER_KIND
) -> list[str]:
    """At most ``per_kind`` commands of each kind; a kind with more shows ``per_kind - 1``
    and one that counts the rest."""
    lines: list[str] = []
    for severity in SEVERITY_ORDER:
        mine = [f for f in findings if f.severity is severity]
        shown = mine if len(mine) <= per_kind else mine[: per_kind - 1]
        lines.extend(_annotation(f) for f in shown)
        more = len(mine) - len(shown)
        if more:
            noun = f"{severity.value}{'' if more == 1 else 's'}"
            text = (
                f"{more} more {noun} not shown as annotations (GitHub shows {per_kind} of each "
                f"kind per step): see the job summary, and {FULL_REPORT} for all of them"
            )
            title = command_property("agentgov check")
            lines.append(f"::{COMMAND[severity]} title={title}::{command_data(text)}")
    return lines


@dataclass(frozen=True)
class Part:
    """A stretch of a Markdown document: ``head`` lines are always kept, ``rows`` are kept
    in order while they fit; parts of lower ``priority`` keep their rows first. ``name``
    says what the rows are in the note on what was cut."""

    name: str
    head: tuple[str, ...]
    rows: tuple[str, ...] = ()
    priority: int = 0


def _cost(lines: Sequence[str], size: Callable[[str], int]) -> int:
    return sum(size(line) + 1 for line in lines)


def _cut_note(omitted: Counter[str], totals: Counter[str], limit: str, where: str) -> list[str]:
    parts = "; ".join(
        f"{name}: {omitted[name]} of {totals[name]} rows" for name in totals if omitted[name]
    )
    return ["", f"**Cut to fit {limit}, rows left out: {parts}.** The full report is in {where}."]


def fit_markdown(
    top: Sequence[str],
    parts: Sequence[Part],
    cap: int,
    size: Callable[[str], int],
    limit: str,
    where: str,
) -> str:
    """``top``, then the parts, one line each ending in a newline, at most ``cap`` by
    ``size``. When everything does not fit, rows are left out (the heads never are) and a
    note after ``top`` says how many of each name, under ``limit``, and that the rest is in
    ``where``. The note is sized for the worst case first, so the result stays under the cap
    as long as ``top`` and the heads do."""
    everything = [*top, *(line for part in parts for line in (*part.head, *part.rows))]
    if _cost(everything, size) <= cap:
        return "\n".join(everything) + "\n"
    totals = Counter[str]()
    for part in parts:
        totals[part.name] += len(part.rows)
    fixed = [*top, *_cut_note(totals, totals, limit, where)]
    fixed += [line for part in parts for line in part.head]
    budget = cap - _cost(fixed, size)
    kept = [0] * len(parts)
    for index in sorted(range(len(parts)), key=lambda i: parts[i].priority):
        for row in parts[index].rows:
            cost = size(row) + 1
            if cost > budget:
                break
            budget -= cost
            kept[index] += 1
    omitted = Counter[str]()
    for part, count in zip(parts, kept, strict=True):
        omitted[part.name] += len(part.rows) - count
    lines = [*top, *_cut_note(omitted, totals, limit, where)]
    for part, count in zip(parts, kept, strict=True):
        lines += [*part.head, *part.rows[:count]]
    return "\n".join(lines) + "\n"


def _rule_link(rule: str) -> str:
    found = CHECK_RULES.get(rule)
    return f"[{md_escape(rule)}]({found.help_uri})" if found else md_escape(rule)


def findings_part(findings: Sequence[Finding], heading: str) -> Part:
    """The findings under ``heading``, errors first, as a table of severity, rule (linked
    to its docs), location, message and fix."""
    if not findings:
        return Part("findings", ("", f"#### {heading}", "", "None."))
    rows = tuple(
        md_row(
            [
                f.severity.value,
                _rule_link(f.rule),
                md_escape(str(f.location)) if f.location else "",
                md_escape(f.message),
                md_escape(f.remediation),
            ]
        )
        for f in by_severity(findings)
    )
    head = ("", f"#### {heading}", "", *md_table_head(FINDING_HEADERS))
    return Part("findings", head, rows, 3)


def evidence_parts(report: CheckReport, title: str = "Raised levels") -> list[Part]:
    """A heading, then for each raise its words and its evidence table."""
    if not report.raises:
        return []
    parts = [Part("evidence", ("", f"#### {title}"))]
    for raised in report.raises:
        where = f" ({raised.location})" if raised.location else ""
        head = ("", md_escape(raise_words(raised) + where), "", *md_table_head(EVIDENCE_HEADERS))
        rows = tuple(md_row([md_escape(c) for c in row.cells]) for row in evidence_rows(raised))
        parts.append(Part("evidence", head, rows, 0))
    return parts


def demotion_part(report: CheckReport) -> list[Part]:
    if not report.demotions:
        return []
    rows = tuple(f"- {md_escape(demotion_words(d))}" for d in report.demotions)
    return [Part("demotions", ("", "#### Demotions", ""), rows, 1)]


def change_parts(report: CheckReport, title: str = "Policy changes") -> list[Part]:
    """The changes grouped as ``diff`` groups them: raises, loosenings, tightenings, other."""
    groups = grouped_changes(report.changes)
    if not groups:
        return []
    parts = [Part("policy changes", ("", f"#### {title}"))]
    for name, changes in groups:
        rows = tuple(f"- {md_escape(change_words(c))}" for c in changes)
        parts.append(Part("policy changes", ("", f"**{md_escape(name)}**", ""), rows, 2))
    return parts


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))


def check_summary(report: CheckReport, cap: int = SUMMARY_CAP) -> str:
    top = [
        f"### agentgov {verdict_words(report.failed, report.findings)}",
        "",
        md_escape(
            f"{span_words(report.base, report.head, report.protected)}; checks: "
            f"{', '.join(report.checks) or 'none'}"
        ),
    ]
    parts = [
        findings_part(report.findings, f"Findings ({counts_words(report.findings)})"),
        *evidence_parts(report),
        *demotion_part(report),
        *change_parts(report),
    ]
    limit = f"GitHub's step summary limit ({cap} bytes)"
    return fit_markdown(top, parts, cap, utf8_size, limit, FULL_REPORT)


def check_github(report: CheckReport, cap: int = SUMMARY_CAP) -> GithubOutput:
    lines = [*annotation_lines(report.findings), verdict_words(report.failed, report.findings)]
    return GithubOutput("\n".join(lines), check_summary(report, cap))
