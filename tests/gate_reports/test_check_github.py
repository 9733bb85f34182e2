"""``check_github``: workflow-command annotations (escaped, at most 10 per kind) and the job
summary (everything, under GitHub's 1 MiB cap)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from agentgov.gate.model import CheckReport, Finding, Location, Severity
from agentgov.reporters.check_github import (
    SUMMARY_CAP,
    check_github,
    command_data,
    command_property,
    md_escape,
)
from tests.gate_reports import BASE, HEAD, many_findings, sample_report, small_report

CUT = re.compile(r"rows left out: findings: (\d+) of (\d+) rows\.")


def _cells(row: str) -> list[str]:
    """A Markdown table row's cells, split where GitHub splits them: at unescaped pipes."""
    assert row.startswith("| ")
    assert row.endswith(" |")
    return re.split(r"(?<!\\)\|", row)[1:-1]


def test_command_escaping() -> None:
    assert command_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert command_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"
    assert command_data("a:b,c") == "a:b,c"  # the message keeps : and ,


def test_annotation_escapes_file_title_and_message() -> None:
    finding = Finding(
        "check.agent-governance-edit",
        Severity.ERROR,
        "100% agent,\nreally: yes",
        "undo it",
        Location("dir,a:b/CLAUDE.md", 3, 2),
    )
    out = check_github(CheckReport(BASE, HEAD, (finding,)))
    assert out.annotations.splitlines() == [
        "::error file=dir%2Ca%3Ab/CLAUDE.md,line=3,col=2,title=agentgov "
        "check.agent-governance-edit::100%25 agent,%0Areally: yes%0Afix: undo it",
        "check failed: 1 error",
    ]


def test_kinds_and_locations() -> None:
    out = check_github(sample_report()).annotations.splitlines()
    assert [line.split(" ", 1)[0] for line in out[:-1]] == [
        "::error",
        "::error",
        "::warning",
        "::notice",
    ]
    assert out[0].startswith(
        "::error file=.agentgov/policy.yaml,line=9,col=12,title=agentgov check.raise-unproven::"
    )
    # a location without a line names only the file; no location, no properties but title
    assert out[1].startswith(
        "::error file=.agentgov/policy.yaml,title=agentgov check.rollback-due::"
    )
    assert out[3].startswith("::notice title=agentgov check.audit-trail::no audit trail here")
    assert out[-1] == "check failed: 2 errors, 1 warning, 1 note"


def test_ten_of_a_kind_are_all_shown() -> None:
    lines = check_github(CheckReport(BASE, HEAD, many_findings(10))).annotations.splitlines()
    assert len(lines) == 11
    assert all(line.startswith("::error file=CLAUDE.md,line=") for line in lines[:10])
    assert "more" not in lines[9]


def test_at_most_ten_per_kind_the_last_counting_the_rest() -> None:
    findings = (
        *many_findings(12),
        *many_findings(25, Severity.WARNING),
        *many_findings(3, Severity.NOTE),
    )
    lines = check_github(CheckReport(BASE, HEAD, findings)).annotations.splitlines()
    errors = [line for line in lines if line.startswith("::error")]
    warnings = [line for line in lines if line.startswith("::warning")]
    notices = [line for line in lines if line.startswith("::notice")]
    assert (len(errors), len(warnings), len(notices)) == (10, 10, 3)
    assert errors[:9] == [e for e in errors if "file=CLAUDE.md" in e]
    assert [e.split(",", 2)[1] for e in errors[:9]] == [f"line={i}" for i in range(1, 10)]
    assert errors[9] == (
        "::error title=agentgov check::3 more errors not shown as annotations (GitHub shows 10 "
        "of each kind per step): see the job summary, and the JSON and SARIF reports "
        "(`agentgov check --format json`, `--format sarif`) for all of them"
    )
    assert warnings[9].startswith("::warning title=agentgov check::16 more warnings not shown")
    assert lines[-1] == "check failed: 12 errors, 25 warnings, 3 notes"


def test_summary_of_a_small_report() -> None:
    assert check_github(small_report()).summary == (
        "### agentgov check failed: 1 error, 1 warning\n"
        "\n"
        "1a2b3c4d5e6f..0f9e8d7c6b5a, a push to the protected branch; checks: policy, autonomy, "
        "governance-files, rollback, audit\n"
        "\n"
        "#### Findings (1 error, 1 warning)\n"
        "\n"
        "| severity | rule | location | message | fix |\n"
        "| --- | --- | --- | --- | --- |\n"
        "| error | [check.raise-unproven](https://github.com/agentgov/agentgov/blob/main/docs/"
        "ci.md#check.raise-unproven) | .agentgov/policy.yaml:9:12 | tests: level 3 → 4 is not "
        "earned | wait for the evidence |\n"
        "| warning | [check.audit-trail](https://github.com/agentgov/agentgov/blob/main/docs/"
        "ci.md#check.audit-trail) |  | no trail | fetch the notes |\n"
        "\n"
        "#### Raised levels\n"
        "\n"
        "tests: level 3 execute-gated → 4 execute-sandboxed (level raised), judged on its own "
        "evidence measured at base: not proven (.agentgov/policy.yaml:9:12)\n"
        "\n"
        "| level | criterion | measured | threshold | samples | window | verdict | missing |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- |\n"
        "| 4 execute-sandboxed | approval\\_rate \\>= | 0.9000 (18/20) | 0.95 | 20 (min 50) | "
        "14d: 2026-11-18T00:00:00Z to 2026-12-02T00:00:00Z | insufficient | 30 |\n"
        "\n"
        "#### Demotions\n"
        "\n"
        "- docs: 4 execute-sandboxed → 3 execute-gated (demote by 1): rollback trigger "
        "deny\\_rate \\> 0.5 over 14d (min 3 samples): 0.7500 (3/4), window "
        "2026-11-18T00:00:00Z to 2026-12-02T00:00:00Z: breached; applied at head\n"
        "\n"
        "#### Policy changes\n"
        "\n"
        "**Raises**\n"
        "\n"
        "- tests: level 3 execute-gated → 4 execute-sandboxed (task\\_classes.tests.level at "
        ".agentgov/policy.yaml:9:12)\n"
    )


def test_summary_carries_every_finding_errors_first() -> None:
    report = sample_report()
    summary = check_github(report).summary
    rows = [line for line in summary.splitlines() if line.startswith("| ")]
    finding_rows = [r for r in rows if _cells(r)[0].strip() in {"error", "warning", "note"}]
    assert [_cells(r)[0].strip() for r in finding_rows] == ["error", "error", "warning", "note"]
    assert [_cells(r)[3].strip() for r in finding_rows] == [
        md_escape(report.findings[i].message) for i in (0, 2, 1, 3)
    ]
    assert "**Loosenings (⚠ review)**" in summary
    assert "**Tightenings**" in summary
    assert "Cut to fit" not in summary


def test_table_cells_escaped() -> None:
    hostile = Finding(
        "check.agent-governance-edit",
        Severity.ERROR,
        "subject `a|b` <!-- hide\r\nnext | cell [x](http://e) & *b*",
        "fix | it",
        Location("a|b.md", 1),
    )
    summary = check_github(CheckReport(BASE, HEAD, (hostile,))).summary
    (row,) = [line for line in summary.splitlines() if line.startswith("| error")]
    cells = _cells(row)
    assert len(cells) == 5
    assert cells[2].strip() == "a\\|b.md:1:1"
    assert cells[3].strip() == (
        "subject \\`a\\|b\\` \\<!-- hide<br>next \\| cell \\[x\\](http://e) \\& \\*b\\*"
    )
    assert cells[4].strip() == "fix \\| it"
    assert re.search(r"(?<!\\)<(?!br>)", summary) is None  # no tag or comment can open
    assert md_escape("back\\slash") == "back\\\\slash"


def test_summary_of_20000_findings_stays_under_1_mib() -> None:
    base = sample_report()
    report = replace(base, findings=base.findings + many_findings(20_000))
    summary = check_github(report).summary
    size = len(summary.encode("utf-8"))
    assert size <= SUMMARY_CAP == 1_048_576
    rows = [line for line in summary.splitlines() if line.startswith("| error")]
    found = CUT.search(summary)
    assert found is not None
    left_out, total = int(found.group(1)), int(found.group(2))
    assert total == 20_004
    assert left_out == total - len(rows) > 0
    assert "The full report is in the JSON and SARIF reports" in summary
    # what is not findings is kept whole, and the cut takes no more than it must
    assert "| 4 execute-sandboxed | approval\\_rate" in summary
    assert "#### Demotions" in summary
    assert "**Tightenings**" in summary
    # no left-out row would have fit: each is at most as long as the longest finding row
    finding_rows = [line for line in summary.splitlines() if line.startswith("| ")]
    assert SUMMARY_CAP - size < max(len(row.encode("utf-8")) for row in finding_rows) + 1
    # the rows kept are the first ones, errors in report order
    assert rows[2].startswith("| error | [check.agent-governance-edit]")
    assert "changes line 1:" in rows[2]


@pytest.mark.parametrize("cap", [2_500, 3_000, 4_000, 6_000, 9_000])
def test_any_cap_is_held(cap: int) -> None:
    base = sample_report()
    report = replace(base, findings=base.findings + many_findings(40))
    summary = check_github(report, cap=cap).summary
    assert len(summary.encode("utf-8")) <= cap
    kept = [line for line in summary.splitlines() if line.startswith("| error")]
    found = CUT.search(summary)
    assert found is not None
    assert int(found.group(1)) == 44 - len(kept) - sum(
        1 for line in summary.splitlines() if line.startswith(("| warning", "| note"))
    )
    assert f"GitHub's step summary limit ({cap} bytes)" in summary


def test_summary_counts_multibyte_text_in_bytes() -> None:
    wide = tuple(
        replace(f, message="→" * 300)  # 3 bytes each in UTF-8
        for f in many_findings(10)
    )
    report = CheckReport(BASE, HEAD, wide)
    summary = check_github(report, cap=5_000).summary
    assert len(summary) < 5_000 < len(summary) * 3
    assert len(summary.encode("utf-8")) <= 5_000
    assert CUT.search(summary) is not None
