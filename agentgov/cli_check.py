"""``agentgov check`` and ``agentgov diff``: the CI gate and the policy reviewer's view.

Registered by ``cli.py``. Both judge base → head from git objects and the trail
(``gate/check.py``, docs/ci.md); ``check`` exits 1 when it finds an error, ``diff`` only
reports.
"""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from agentgov import __version__
from agentgov.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from agentgov.gate.model import CheckReport

SUMMARY_ENV = "GITHUB_STEP_SUMMARY"


class CheckFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"


class DiffFormat(str, Enum):
    markdown = "markdown"
    text = "text"
    json = "json"


def _judged(base: str | None, head: str | None) -> CheckReport:
    from agentgov.gate.check import run_check

    return run_check(Path.cwd(), base, head, os.environ)


def _write(text: str, output: Path | None) -> None:
    if output is None:
        typer.echo(text)
        return
    try:
        output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    except OSError as err:
        raise UsageError(f"--output {output}: cannot write it ({err.strerror})") from None


def _append_summary(summary: str) -> None:
    """Append the Markdown job summary to ``$GITHUB_STEP_SUMMARY`` (GitHub renders it on
    the run's page); outside Actions, print it to stderr."""
    target = os.environ.get(SUMMARY_ENV)
    if not target:
        typer.echo(summary, err=True)
        return
    try:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(summary if summary.endswith("\n") else summary + "\n")
    except OSError as err:
        raise UsageError(f"${SUMMARY_ENV} {target}: cannot append to it ({err.strerror})") from None


def check_command(
    base: Annotated[
        str | None,
        typer.Option(
            help="The branch or commit the change goes into (default: the PR's target, "
            "origin/$GITHUB_BASE_REF; the commit before a push; else origin/main)."
        ),
    ] = None,
    head: Annotated[
        str | None,
        typer.Option(help="The change (default HEAD); a protected branch name checks it as one."),
    ] = None,
    output_format: Annotated[
        CheckFormat, typer.Option("--format", help="text, json, github or sarif")
    ] = CheckFormat.text,
    output: Annotated[
        Path | None, typer.Option(help="Write the report to this file instead of stdout.")
    ] = None,
) -> None:
    """Judge base → head from git objects and the audit trail: the policy validates, raised
    autonomy is earned on base's evidence, no agent commit changes governance files, due
    demotions are applied, and the trail verifies. Exit 1 on any error."""
    report = _judged(base, head)
    if output_format is CheckFormat.text:
        from agentgov.reporters.check_text import check_text

        _write(check_text(report), output)
    elif output_format is CheckFormat.json:
        from agentgov.reporters.check_json import check_json

        _write(check_json(report), output)
    elif output_format is CheckFormat.sarif:
        from agentgov.reporters.check_sarif import check_sarif

        _write(check_sarif(report, __version__), output)
    else:
        from agentgov.reporters.check_github import check_github

        github = check_github(report)
        _write(github.annotations, output)
        _append_summary(github.summary)
    if report.failed:
        raise typer.Exit(int(ExitCode.VIOLATION))


def diff_command(
    base: Annotated[str, typer.Argument(help="The branch or commit the change goes into.")],
    head: Annotated[str | None, typer.Argument(help="The change (default HEAD).")] = None,
    output_format: Annotated[
        DiffFormat, typer.Option("--format", help="markdown, text or json")
    ] = DiffFormat.markdown,
) -> None:
    """What a policy change does, in plain words, with the evidence for each raised level
    and check's verdict: for the reviewer, fit to post as a PR comment."""
    from agentgov.reporters.diff_report import diff_json, diff_markdown, diff_text

    report = _judged(base, head)
    show = {
        DiffFormat.markdown: diff_markdown,
        DiffFormat.text: diff_text,
        DiffFormat.json: diff_json,
    }[output_format]
    typer.echo(show(report))
