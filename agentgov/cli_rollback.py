"""``agentgov rollback``: the demotions that breached triggers and open incidents require,
delivered as a branch for a pull request (docs/ci.md#agentgov-rollback).

Registered by ``cli.py``. The evidence is measured at HEAD with the policy in force, as
``status`` measures it; the targets come from the level history, so a demotion already
merged is reported as applied and not asked for again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from agentgov.cli_format import OutputFormat
from agentgov.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from agentgov.adapters.rollback_branch import RollbackBranch
    from agentgov.gate.model import Demotion

DAY = 86400.0


def rollback_command(
    apply: Annotated[
        bool, typer.Option(help="Commit the demotions on a new branch agentgov/rollback-<date>.")
    ] = False,
    branch: Annotated[
        str | None, typer.Option(help="With --apply: the branch to create instead.")
    ] = None,
    push: Annotated[bool, typer.Option(help="With --apply: push the branch to origin.")] = False,
    output: Annotated[OutputFormat, typer.Option("--format", help="text or json")] = (
        OutputFormat.text
    ),
) -> None:
    """Compute the demotions breached rollback triggers and open incidents require; with
    --apply, commit them (only the level values change) on a new branch for a PR. Exit 1
    when demotions are due and not applied."""
    from agentgov.adapters.rollback_branch import commit_rollback
    from agentgov.audit.records import cyclic_gc_paused
    from agentgov.cli_evidence import gather
    from agentgov.evidence.standing import standing
    from agentgov.gate.demotions import required_demotions
    from agentgov.gate.level_history import level_history

    if (push or branch) and not apply:
        raise UsageError("--push and --branch go with --apply")
    with cyclic_gc_paused():
        gathered = gather(None)
        policy = gathered.found.policy
        standings = standing(policy, gathered.series, gathered.at_time, gathered.incidents)
        windows = [t.criterion.window_days for t in policy.rollback if t.criterion] or [1]
        opened = [i.time for i in gathered.incidents if i.resolved is None]
        since = min([gathered.at_time - max(windows) * DAY, *opened])
        root = Path.cwd()
        demotions = required_demotions(policy, standings, level_history(root, gathered.at, since))
    due = [d for d in demotions if not d.applied]
    made = commit_rollback(root, due, branch, push=push) if apply and due else None
    typer.echo(_json(demotions, made) if output is OutputFormat.json else _text(demotions, made))
    if due and made is None:
        raise typer.Exit(int(ExitCode.VIOLATION))


def _text(demotions: tuple[Demotion, ...], made: RollbackBranch | None) -> str:
    from agentgov.reporters.judgement_words import demotion_words

    if not demotions:
        return "no demotion is due: no rollback trigger is breached and no incident is open"
    lines = [demotion_words(d) for d in demotions]
    if made is not None:
        pushed = "; pushed to origin" if made.pushed else ""
        lines.append(
            f"committed on branch {made.branch} ({made.commit[:12]}){pushed}: open a pull "
            "request from it"
        )
    elif any(not d.applied for d in demotions):
        lines.append("run `agentgov rollback --apply` to commit them on a branch for a PR")
    return "\n".join(lines)


def _json(demotions: tuple[Demotion, ...], made: RollbackBranch | None) -> str:
    from agentgov.reporters.check_json import demotion_json

    return json.dumps(
        {
            "v": 1,
            "demotions": [demotion_json(d) for d in demotions],
            "branch": made.branch if made else None,
            "commit": made.commit if made else None,
            "pushed": made.pushed if made else False,
        },
        indent=2,
    )
