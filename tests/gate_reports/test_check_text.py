"""``check_text``: the report for people, asserted whole for a small report."""

from __future__ import annotations

from agentgov.gate.model import CheckReport, Raise
from agentgov.policy.model import Level
from agentgov.reporters.check_text import check_text, text_table
from tests.gate_reports import (
    APPROVAL,
    BASE,
    CHECKS,
    HEAD,
    NO_TRAIL,
    docs_demotion,
    judged_on,
    raise_of_tests,
    sample_report,
    small_report,
)


def test_small_report_exact() -> None:
    assert check_text(small_report()) == (
        "agentgov check 1a2b3c4d5e6f..0f9e8d7c6b5a, a push to the protected branch\n"
        "checks: policy, autonomy, governance-files, rollback, audit\n"
        "\n"
        ".agentgov/policy.yaml:9:12: error check.raise-unproven: tests: level 3 → 4 is not "
        "earned\n"
        "  fix: wait for the evidence\n"
        "warning check.audit-trail: no trail\n"
        "  fix: fetch the notes\n"
        "\n"
        "raises:\n"
        "  tests: level 3 execute-gated → 4 execute-sandboxed (level raised), judged on its "
        "own evidence measured at base: not proven (.agentgov/policy.yaml:9:12)\n"
        "    level                criterion         measured        threshold  samples      "
        "window                                             verdict       missing\n"
        "    4 execute-sandboxed  approval_rate >=  0.9000 (18/20)  0.95       20 (min 50)  "
        "14d: 2026-11-18T00:00:00Z to 2026-12-02T00:00:00Z  insufficient  30\n"
        "\n"
        "demotions:\n"
        "  docs: 4 execute-sandboxed → 3 execute-gated (demote by 1): rollback trigger "
        "deny_rate > 0.5 over 14d (min 3 samples): 0.7500 (3/4), window "
        "2026-11-18T00:00:00Z to 2026-12-02T00:00:00Z: breached; applied at head\n"
        "\n"
        "check failed: 1 error, 1 warning"
    )


def test_pull_request_header_and_passed_verdict() -> None:
    report = CheckReport(BASE, HEAD, (NO_TRAIL,), checks=("policy",), protected=False)
    lines = check_text(report).splitlines()
    assert lines[0] == "agentgov check 1a2b3c4d5e6f..0f9e8d7c6b5a, a pull request"
    assert lines[1] == "checks: policy"
    assert lines[-1] == "check passed: 1 warning"
    assert "raises:" not in lines
    assert "demotions:" not in lines


def test_no_findings() -> None:
    text = check_text(CheckReport(BASE, HEAD, (), checks=CHECKS))
    assert text.splitlines()[-1] == "check passed: no findings"


def test_unapplied_demotion_and_proven_raise() -> None:
    report = CheckReport(
        BASE, HEAD, (), raises=(raise_of_tests(50, 50),), demotions=(docs_demotion(),)
    )
    text = check_text(report)
    assert "judged on its own evidence measured at base: proven" in text
    assert "1.0000 (50/50)" in text
    assert "; not applied at head" in text


def test_level_without_criteria_and_evidence_of_another_class() -> None:
    moved = Raise(
        "docs",
        "default",
        Level.EXECUTE_GATED,
        Level.AUTONOMOUS,
        "paths docs/** moved from default (level 3)",
        (
            (Level.EXECUTE_SANDBOXED, ()),
            (Level.AUTONOMOUS, (judged_on(APPROVAL, 60, 60, "default"),)),
        ),
    )
    lines = check_text(CheckReport(BASE, HEAD, (), raises=(moved,))).splitlines()
    heading = lines.index("raises:") + 1
    assert lines[heading] == (
        "  docs: level 3 execute-gated → 5 autonomous (paths docs/** moved from default "
        "(level 3)), judged on the evidence of default measured at base: proven"
    )
    assert (
        lines[heading + 2].split()
        == ["4", "execute-sandboxed", "no", "exit", "criteria"] + ["-"] * 6
    )
    assert lines[heading + 3].startswith("    5 autonomous ")
    assert "1.0000 (60/60)" in lines[heading + 3]


def test_every_finding_of_a_real_report_has_its_fix() -> None:
    report = sample_report()
    lines = check_text(report).splitlines()
    for finding in report.findings:
        where = f"{finding.location}: " if finding.location else ""
        first = f"{where}{finding.severity.value} {finding.rule}: {finding.message}"
        assert lines[lines.index(first) + 1] == f"  fix: {finding.remediation}"
    assert lines[-1] == "check failed: 2 errors, 1 warning, 1 note"


def test_text_table_pads_to_the_widest_cell() -> None:
    assert text_table(("a", "bb"), [("long", "x"), ("y", "")], "  ") == [
        "  a     bb",
        "  long  x",
        "  y",
    ]
