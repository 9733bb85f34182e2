"""The ``agentgov audit`` commands and ``agentgov log``: parse, call the core, report.

Registered by ``cli.py`` (``app.add_typer(audit_app, name="audit")`` and
``app.command("log")(log_command)``). Nothing heavy is imported at module level: the core
modules (and pygit2, through the notes store) load inside the command that needs them.
The trail's ref comes from the policy in force (``audit.notes_ref``).
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from agentgov.cli_format import OutputFormat
from agentgov.cli_records import review_command, sample_command
from agentgov.errors import UsageError

if TYPE_CHECKING:
    from agentgov.git_layout import RepoLayout

audit_app = typer.Typer(
    help="The audit trail in git notes: flush the journal, sync with a remote, verify, "
    "reattach records after server-side merges.",
    no_args_is_help=True,
)


class DecisionFilter(str, Enum):
    allow = "allow"
    ask = "ask"
    deny = "deny"


def _repo() -> tuple[RepoLayout, str]:
    """This repository and its trail's notes ref (from the policy in force)."""
    from agentgov.git_layout import find_repo
    from agentgov.policy.in_force import policy_in_force

    layout = find_repo(Path.cwd())
    if layout is None:
        raise UsageError("not inside a git repository: the audit trail lives in one")
    return layout, policy_in_force(layout.root).policy.audit.notes_ref


@audit_app.command("flush")
def flush_command(
    commit: Annotated[
        str | None,
        typer.Option(help="Attach the records to this commit (post-commit passes it)."),
    ] = None,
) -> None:
    """Move pending journal records into the notes of a commit (default HEAD)."""
    from agentgov.audit.flush import flush_journal
    from agentgov.reporters.audit_report import flush_text

    layout, ref = _repo()
    result = flush_journal(layout, ref, commit)
    typer.echo(flush_text(result, ref), err=result.target is None)


@audit_app.command("push")
def push_command(
    remote: Annotated[str, typer.Argument(help="The remote to share the trail with.")] = "origin",
) -> None:
    """Fetch the remote's trail, merge it, and push the union (never forced)."""
    from agentgov.audit.sync import push
    from agentgov.reporters.audit_report import sync_text

    layout, ref = _repo()
    typer.echo(sync_text(push(layout.root, ref, remote)))


@audit_app.command("pull")
def pull_command(
    remote: Annotated[str, typer.Argument(help="The remote to fetch the trail from.")] = "origin",
) -> None:
    """Fetch the remote's trail into refs/notes/remotes/<remote>/ and merge it."""
    from agentgov.audit.sync import pull
    from agentgov.reporters.audit_report import sync_text

    layout, ref = _repo()
    typer.echo(sync_text(pull(layout.root, ref, remote)))


@audit_app.command("verify")
def verify_command(
    pending: Annotated[
        bool, typer.Option(help="Also check the journal's pending records and flush tips.")
    ] = False,
    require: Annotated[
        bool, typer.Option(help="Exit 1 when there is no trail at all (CI that never fetched it).")
    ] = False,
    signed: Annotated[
        bool, typer.Option(help="Every notes commit must carry a good signature git can check.")
    ] = False,
    output: Annotated[OutputFormat, typer.Option("--format", help="text or json")] = (
        OutputFormat.text
    ),
) -> None:
    """Check the notes history (notes commits only add lines), every session's hash chain,
    the anchored session tips and the signatures; exit 1 on any problem. Read-only: safe
    in CI."""
    from agentgov.audit.verify import verify_trail
    from agentgov.reporters.audit_report import verify_json, verify_ok, verify_text

    layout, ref = _repo()
    report = verify_trail(layout.root, ref, pending=pending, signed=signed)
    if output is OutputFormat.json:
        typer.echo(verify_json(report, ref, require=require))
    else:
        typer.echo(verify_text(report, ref, require=require))
    if not verify_ok(report, require=require):
        raise typer.Exit(1)


@audit_app.command("reattach")
def reattach_command(
    revisions: Annotated[str, typer.Argument(help="The merged commits, as BASE..HEAD.")],
    onto: Annotated[str, typer.Option(help="The commit they landed as (squash or rebase).")],
) -> None:
    """Copy the records of every commit in BASE..HEAD onto the commit they landed as."""
    from agentgov.audit.history import reattach
    from agentgov.reporters.audit_report import reattach_text

    layout, ref = _repo()
    typer.echo(reattach_text(reattach(layout.root, ref, revisions, onto), ref))


audit_app.command("sample")(sample_command)
audit_app.command("review")(review_command)


@audit_app.command("setup")
def setup_command() -> None:
    """Make amend and rebase carry the trail (notes.rewriteRef, cat_sort_uniq)."""
    from agentgov.audit.history import configure_rewrite
    from agentgov.reporters.audit_report import setup_text

    layout, ref = _repo()
    typer.echo(setup_text(configure_rewrite(layout.root, ref)))


def log_command(
    since: Annotated[
        str | None, typer.Option(help="From this date/time (UTC) or span back: 7d, 12h.")
    ] = None,
    session: Annotated[str | None, typer.Option(help="Only this session (a prefix).")] = None,
    task_class: Annotated[str | None, typer.Option(help="Only this task class.")] = None,
    decision: Annotated[DecisionFilter | None, typer.Option(help="allow, ask or deny.")] = None,
    rule: Annotated[str | None, typer.Option(help="Only records this rule hit.")] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="text or json")] = (
        OutputFormat.text
    ),
) -> None:
    """Show what the agent did, what agentgov decided and why, and what was uncertain,
    grouped by session; pending journal records are included and marked."""
    from agentgov.audit.records import cyclic_gc_paused, read_trail
    from agentgov.audit.timeline import LogQuery, parse_since, timeline
    from agentgov.reporters.log_report import log_json, log_text, problems_text

    layout, ref = _repo()
    query = LogQuery(
        since=parse_since(since) if since else None,
        session=session,
        task_class=task_class,
        decision=decision.value if decision else None,
        rule=rule,
    )
    with cyclic_gc_paused():
        trail = read_trail(layout.root, ref, pending=True)
        sessions = timeline(trail.records, query)
        shown = log_json(sessions, trail.problems) if output is OutputFormat.json else None
        typer.echo(shown if shown is not None else log_text(sessions))
    if trail.problems and shown is None:
        typer.echo(problems_text(trail.problems), err=True)
