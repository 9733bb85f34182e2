"""``agentgov audit sample``, ``agentgov audit review`` and ``agentgov ci record``.

The human side of the evidence (docs/evidence.md, "Reviews and CI records"). Registered by
``cli_audit.py`` (``sample``, ``review`` on ``audit_app``) and ``cli.py``
(``app.add_typer(ci_app, name="ci")``). Nothing heavy at module level: the evidence and
audit modules load inside the command that needs them.
"""

from __future__ import annotations

import json
import os
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from agentgov.cli_format import OutputFormat
from agentgov.errors import UsageError

if TYPE_CHECKING:
    from agentgov.adapters.human_records import Written
    from agentgov.evidence.sampling import Sample
    from agentgov.git_layout import RepoLayout
    from agentgov.policy.model import Policy

SAMPLE_JSON_VERSION = 1

ci_app = typer.Typer(
    help="Records CI writes: the result of a run on a commit.", no_args_is_help=True
)


class CiStatus(str, Enum):
    passed = "pass"
    failed = "fail"


def _repo() -> tuple[RepoLayout, Policy]:
    from agentgov.git_layout import find_repo
    from agentgov.policy.in_force import policy_in_force

    layout = find_repo(Path.cwd())
    if layout is None:
        raise UsageError("not inside a git repository: the audit trail lives in one")
    return layout, policy_in_force(layout.root).policy


def sample_command(
    since: Annotated[
        str | None, typer.Option(help="Only commits from this date/time (UTC) or span back: 30d.")
    ] = None,
    rate: Annotated[
        float | None,
        typer.Option(
            help="The share of agent commits to pick (default: audit.review_sample_rate)."
        ),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(help="The branch or commit to read (default: the protected branch)."),
    ] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="text or json")] = (
        OutputFormat.text
    ),
) -> None:
    """A deterministic sample of the agent commits not yet reviewed, by task class: every
    clone and CI pick the same ones (a hash of the commit id against the rate)."""
    from agentgov.audit.records import read_trail
    from agentgov.audit.timeline import parse_since
    from agentgov.evidence.commit_evidence import commit_evidence
    from agentgov.evidence.git_history import protected_tip
    from agentgov.evidence.sampling import review_sample
    from agentgov.evidence.trail_metrics import epoch

    layout, policy = _repo()
    share = policy.audit.review_sample_rate if rate is None else rate
    if not 0.0 <= share <= 1.0:
        raise UsageError(f"--rate {rate}: give a share from 0 to 1 (0.1 picks one in ten)")
    start = epoch(parse_since(since)) if since else None
    revision = at or protected_tip(layout.root, policy.protected_branches)
    records = read_trail(layout.root, policy.audit.notes_ref, pending=True).records
    evidence = commit_evidence(layout.root, policy, records, revision)
    order = tuple(task_class.name for task_class in policy.task_classes)
    picked = review_sample(evidence, share, start, order)
    typer.echo(
        _sample_json(picked, revision)
        if output is OutputFormat.json
        else _sample_text(picked, revision)
    )


def _review_steps(sha: str, sessions: tuple[str, ...]) -> list[str]:
    short = sha[:12]
    steps = [f"git show {short}"]
    steps += [f"agentgov log --session {session}" for session in sessions]
    steps.append(f"agentgov audit review {short} --agree|--disagree --note '...'")
    return steps


def _sample_text(picked: Sample, revision: str) -> str:
    lines = [
        f"review sample of {revision} at {picked.at[:12]}: {len(picked.picks)} of "
        f"{picked.considered} agent commit(s) at rate {picked.rate:g} "
        f"({picked.reviewed} already reviewed)"
    ]
    if not picked.picks:
        lines.append("nothing to review")
    for name, picks in picked.by_class:
        lines.append(f"\n{name} ({len(picks)}):")
        for pick in picks:
            lines.append(f"  {pick.sha[:12]} {pick.subject}")
            lines.append(f"    why: {'; '.join(pick.why)}")
            lines.extend(f"    run: {step}" for step in _review_steps(pick.sha, pick.sessions))
    return "\n".join(lines)


def _sample_json(picked: Sample, revision: str) -> str:
    return json.dumps(
        {
            "v": SAMPLE_JSON_VERSION,
            "at": picked.at,
            "branch": revision,
            "rate": picked.rate,
            "considered": picked.considered,
            "reviewed": picked.reviewed,
            "task_classes": {
                name: [
                    {
                        "commit": pick.sha,
                        "subject": pick.subject,
                        "why": list(pick.why),
                        "task_class_because": pick.task_class_because,
                        "sessions": list(pick.sessions),
                        "run": _review_steps(pick.sha, pick.sessions),
                    }
                    for pick in picks
                ]
                for name, picks in picked.by_class
            },
        },
        indent=2,
    )


def review_command(
    commit: Annotated[str, typer.Argument(help="The commit reviewed.")],
    agree: Annotated[bool, typer.Option("--agree", help="The agent's change was right.")] = False,
    disagree: Annotated[
        bool, typer.Option("--disagree", help="It should not have been made as it was.")
    ] = False,
    note: Annotated[str, typer.Option(help="What you found.")] = "",
) -> None:
    """Record your review of an agent's commit (the reviewer is git's user.email), in its
    note."""
    from agentgov.adapters.human_records import write_review

    if agree == disagree:
        raise UsageError("give exactly one of --agree or --disagree")
    layout, policy = _repo()
    written = write_review(
        layout,
        policy.audit.notes_ref,
        commit,
        "agree" if agree else "disagree",
        note,
        os.environ,
    )
    typer.echo(_written_text(written, f"review ({written.record['verdict']})"))


@ci_app.command("record")
def ci_record_command(
    status: Annotated[CiStatus, typer.Option(help="pass or fail.")],
    commit: Annotated[str, typer.Option(help="The commit the run tested.")] = "HEAD",
    url: Annotated[str | None, typer.Option(help="The run's page (default: from CI).")] = None,
) -> None:
    """Record a CI result on a commit, in its note (session ci-<run>)."""
    from agentgov.adapters.human_records import write_ci

    layout, policy = _repo()
    written, found = write_ci(layout, policy.audit.notes_ref, commit, status.value, url, os.environ)
    text = _written_text(written, f"ci {status.value}")
    typer.echo(f"{text}; run {found.run} (from {found.source})")


def _written_text(written: Written, what: str) -> str:
    if written.attached:
        return f"recorded {what} of {written.commit[:12]} in its note (session {written.session})"
    return (
        f"recorded {what} of {written.commit[:12]} in the journal (session "
        f"{written.session}); not in notes yet ({written.problem}): run agentgov audit flush"
    )
