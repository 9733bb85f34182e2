"""``agentgov diff``'s reports: what changed (grouped), the evidence of each raised level
and check's verdict; Markdown fit for a PR comment, text, JSON v1."""

from __future__ import annotations

import json
from dataclasses import replace

from agentgov.gate.model import ChangeKind, CheckReport, PolicyChange
from agentgov.reporters.diff_report import COMMENT_CAP, diff_json, diff_markdown, diff_text
from tests.gate_reports import (
    BASE,
    HEAD,
    LOOSEN,
    RAISE_CHANGE,
    TIGHTEN,
    many_findings,
    sample_report,
    small_report,
)

RENAME = PolicyChange(ChangeKind.NEUTRAL, "task_classes.docs.description", "docs: description")


def test_markdown_of_a_small_report() -> None:
    assert diff_markdown(small_report(protected=False)) == (
        "### agentgov diff 1a2b3c4d5e6f..0f9e8d7c6b5a, a pull request\n"
        "\n"
        "#### What changed\n"
        "\n"
        "**Raises**\n"
        "\n"
        "- tests: level 3 execute-gated → 4 execute-sandboxed (task\\_classes.tests.level at "
        ".agentgov/policy.yaml:9:12)\n"
        "\n"
        "#### Evidence for the raised levels\n"
        "\n"
        "tests: level 3 execute-gated → 4 execute-sandboxed (level raised), judged on its own "
        "evidence measured at base: not proven (.agentgov/policy.yaml:9:12)\n"
        "\n"
        "| level | criterion | measured | threshold | samples | window | verdict | missing |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- |\n"
        "| 4 execute-sandboxed | approval\\_rate \\>= | 0.9000 (18/20) | 0.95 | 20 (min 50) | "
        "14d: 2026-11-18T00:00:00Z to 2026-12-02T00:00:00Z | insufficient | 30 |\n"
        "\n"
        "#### check failed: 1 error, 1 warning\n"
        "\n"
        "| severity | rule | location | message | fix |\n"
        "| --- | --- | --- | --- | --- |\n"
        "| error | [check.raise-unproven](https://github.com/agentgov/agentgov/blob/main/docs/"
        "ci.md#check.raise-unproven) | .agentgov/policy.yaml:9:12 | tests: level 3 → 4 is not "
        "earned | wait for the evidence |\n"
        "| warning | [check.audit-trail](https://github.com/agentgov/agentgov/blob/main/docs/"
        "ci.md#check.audit-trail) |  | no trail | fetch the notes |\n"
    )


def test_changes_grouped_in_order() -> None:
    report = replace(sample_report(), changes=(TIGHTEN, RENAME, LOOSEN, RAISE_CHANGE))
    lines = diff_markdown(report).splitlines()
    titles = [line for line in lines if line.startswith("**")]
    assert titles == ["**Raises**", "**Loosenings (⚠ review)**", "**Tightenings**", "**Other**"]
    after = lines.index("**Other**")
    assert lines[after + 2] == "- docs: description (task\\_classes.docs.description)"
    text = diff_text(report).splitlines()
    start = text.index("what changed:")
    assert text[start + 1 : start + 9] == [
        "  Raises:",
        "    tests: level 3 execute-gated → 4 execute-sandboxed (task_classes.tests.level at "
        ".agentgov/policy.yaml:9:12)",
        "  Loosenings (⚠ review):",
        "    git_push_protected at 4 execute-sandboxed: deny → ask (matrix.git_push_protected "
        "at .agentgov/policy.yaml:30:5)",
        "  Tightenings:",
        "    supply_chain npm: constrained → exact (supply_chain.npm)",
        "  Other:",
        "    docs: description (task_classes.docs.description)",
    ]


def test_no_change() -> None:
    report = CheckReport(BASE, HEAD, ())
    assert diff_markdown(report) == (
        "### agentgov diff 1a2b3c4d5e6f..0f9e8d7c6b5a, a pull request\n"
        "\n"
        "#### What changed\n"
        "\n"
        "No policy change.\n"
        "\n"
        "#### check passed: no findings\n"
        "\n"
        "None.\n"
    )
    assert diff_text(report) == (
        "agentgov diff 1a2b3c4d5e6f..0f9e8d7c6b5a, a pull request\n"
        "\n"
        "what changed:\n"
        "  No policy change.\n"
        "\n"
        "check passed: no findings"
    )


def test_text_verdict_lists_findings_errors_first() -> None:
    report = sample_report()
    lines = diff_text(report).splitlines()
    verdict = lines.index("check failed: 2 errors, 1 warning, 1 note")
    shown = [line for line in lines[verdict + 1 :] if not line.startswith("    fix: ")]
    assert [line.split(": ", 1)[1].split(" ", 1)[0] for line in shown[:3]] == [
        "error",
        "error",
        "warning",
    ]
    assert shown[3].startswith("  note check.audit-trail: ")
    assert "evidence for the raised levels:" in lines


def test_json() -> None:
    report = replace(sample_report(), changes=(TIGHTEN, RENAME, LOOSEN, RAISE_CHANGE))
    data = json.loads(diff_json(report))
    assert list(data) == ["v", "base", "head", "protected", "changes", "raises", "verdict"]
    assert data["v"] == 1
    assert list(data["changes"]) == ["raise", "loosen", "tighten", "neutral"]
    assert [[c["key"] for c in group] for group in data["changes"].values()] == [
        ["task_classes.tests.level"],
        ["matrix.git_push_protected"],
        ["supply_chain.npm"],
        ["task_classes.docs.description"],
    ]
    (raised,) = data["raises"]
    assert raised["levels"][0]["criteria"][0]["verdict"] == "fail"
    verdict = data["verdict"]
    assert (verdict["passed"], verdict["errors"], verdict["warnings"], verdict["notes"]) == (
        False,
        2,
        1,
        1,
    )
    assert [f["severity"] for f in verdict["findings"]] == ["error", "error", "warning", "note"]


def test_long_comment_is_cut_to_githubs_limit() -> None:
    base = sample_report()
    report = replace(base, findings=base.findings + many_findings(2_000))
    comment = diff_markdown(report)
    assert len(comment) <= COMMENT_CAP == 65_536
    assert "Cut to fit GitHub's comment limit (65536 characters), rows left out: findings: " in (
        comment
    )
    assert "`agentgov diff --format json`" in comment
    # the changes and the evidence are whole; only findings rows go
    assert "**Tightenings**" in comment
    assert "| 4 execute-sandboxed | approval\\_rate" in comment
    short = diff_markdown(base)
    assert "Cut to fit" not in short
