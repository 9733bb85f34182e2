"""``agentgov kill`` and ``agentgov incident record|list|resolve`` (docs/evidence.md).

Registered by ``cli.py`` (``app.command("kill")(kill_command)``,
``app.add_typer(incident_app, name="incident")``). Nothing heavy at module level.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from agentgov.cli_format import OutputFormat
from agentgov.errors import UsageError

if TYPE_CHECKING:
    from agentgov.adapters.human_records import Written
    from agentgov.adapters.incidents import Incident
    from agentgov.git_layout import RepoLayout
    from agentgov.policy.model import Policy

INCIDENT_JSON_VERSION = 1

incident_app = typer.Typer(
    help="Incidents people report: each resets its task class as the policy's incident "
    "trigger says, until resolved.",
    no_args_is_help=True,
)


def kill_command(
    reason: Annotated[
        str | None, typer.Option(help="Why (shown to agents in every denial).")
    ] = None,
    release: Annotated[bool, typer.Option("--release", help="Release it (a person only).")] = False,
) -> None:
    """Engage the kill switch: every task class acts at level 1 (suggest) on this clone at
    once, and kill_switch.engaged: true goes into .agentgov/policy.yaml for a pull request.
    --release undoes both."""
    from agentgov.adapters.kill_command import done_text, engage
    from agentgov.adapters.kill_command import release as release_kill

    if release:
        if reason is not None:
            raise UsageError("--release takes no --reason: it lifts the kill switch")
        done = release_kill(Path.cwd())
    else:
        if reason is None:
            raise UsageError(
                "say why: agentgov kill --reason TEXT (or agentgov kill --release to lift it)"
            )
        done = engage(Path.cwd(), reason)
    typer.echo(done_text(done))


def _repo() -> tuple[RepoLayout, Policy]:
    from agentgov.git_layout import find_repo
    from agentgov.policy.in_force import policy_in_force

    layout = find_repo(Path.cwd())
    if layout is None:
        raise UsageError("not inside a git repository: incidents are kept in its audit trail")
    return layout, policy_in_force(layout.root).policy


def _written_text(verb: str, incident: Incident, written: Written) -> str:
    where = (
        f"in the note of {written.commit[:12]}"
        if written.attached
        else f"in the journal (not yet in notes: {written.problem}); agentgov audit flush moves it"
    )
    return f"incident {incident.id} {verb} ({incident.severity}, task class " + (
        f"{incident.task_class}); recorded {where} as session {written.session}"
    )


@incident_app.command("record")
def record_command(
    task_class: Annotated[str, typer.Option("--task-class", help="The task class it is about.")],
    severity: Annotated[
        str, typer.Option(help="One word the policy's incident triggers match (production).")
    ],
    note: Annotated[str, typer.Option(help="What happened, in one line.")],
    commit: Annotated[
        str | None, typer.Option(help="The commit it is about (default: none; kept on HEAD).")
    ] = None,
) -> None:
    """Record an incident: the class is reset at once on this clone, as the policy's
    incident trigger says, and in CI and status once the trail is pushed."""
    from agentgov.adapters.effective_level import effective_level
    from agentgov.adapters.incidents import record_incident

    layout, policy = _repo()
    incident, written = record_incident(
        layout, policy, task_class=task_class, severity=severity, note=note, commit=commit
    )
    typer.echo(_written_text("recorded", incident, written))
    import os

    configured = policy.task_class(task_class).level
    now = effective_level(policy, task_class, configured, layout, os.environ)
    typer.echo(
        f"{task_class}: level {configured.value} {configured.id} -> acts at level "
        f"{now.level.value} {now.level.id}" + (f" ({now.because})" if now.causes else "")
    )


@incident_app.command("list")
def list_command(
    output: Annotated[OutputFormat, typer.Option("--format", help="text or json")] = (
        OutputFormat.text
    ),
) -> None:
    """Every incident in the audit trail, open first; this clone's incidents file is
    brought up to what the trail says."""
    from agentgov.adapters.incidents import list_incidents, sync_open

    layout, policy = _repo()
    found = list_incidents(layout, policy)
    sync_open(layout, found)
    ordered = sorted(found, key=lambda one: (not one.open, one.opened))
    if output is OutputFormat.json:
        typer.echo(
            json.dumps(
                {
                    "v": INCIDENT_JSON_VERSION,
                    "incidents": [
                        {
                            "id": one.id,
                            "task_class": one.task_class,
                            "severity": one.severity,
                            "note": one.note,
                            "reporter": one.reporter,
                            "commit": one.commit,
                            "opened": one.opened,
                            "open": one.open,
                            "resolved": one.resolved,
                            "resolved_by": one.resolved_by,
                        }
                        for one in ordered
                    ],
                },
                indent=2,
            )
        )
        return
    if not ordered:
        typer.echo("no incidents in the audit trail")
        return
    for one in ordered:
        state = "open" if one.open else f"resolved {one.resolved} by {one.resolved_by}"
        about = f" commit {one.commit[:12]}" if one.commit else ""
        typer.echo(
            f"{one.id}  {state}  {one.severity}  {one.task_class}{about}  {one.opened}  "
            f"{one.reporter}: {one.note}"
        )


@incident_app.command("resolve")
def resolve_command(
    ident: Annotated[str, typer.Argument(metavar="ID", help="The incident's id.")],
    note: Annotated[str, typer.Option(help="How it was resolved.")] = "",
) -> None:
    """Resolve an incident (a person only): the reset it caused is lifted."""
    from agentgov.adapters.incidents import resolve_incident

    layout, policy = _repo()
    incident, written = resolve_incident(layout, policy, ident, note=note)
    typer.echo(_written_text("resolved", incident, written))
