"""``agentgov rollback``: the demotions that breached triggers and open incidents require,
delivered as a branch for a pull request (docs/ci.md#agentgov-rollback).

Registered by ``cli.py``. The evidence is measured at HEAD as ``status`` measures it, but
with the policy HEAD commits (the one a demotion branch from HEAD edits), and the targets
come from that policy's level history, so a demotion already merged is reported as applied
and not asked for again. Open incidents are the trail's now, so one recorded a moment ago
is demoted for without waiting for the next commit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from agentgov.cli_format import OutputFormat
from agentgov.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from agentgov.adapters.rollback_branch import RollbackBranch
    from agentgov.gate.model import Demotion


@dataclass(frozen=True)
class RollbackReport:
    head: str
    policy: str
    """Where the policy judged came from: ``<sha12>:.agentgov/policy.yaml``."""
    demotions: tuple[Demotion, ...]
    binding: tuple[Demotion, ...]
    """Per class, the demotion with the lowest target: the level ``--apply`` writes."""
    skipped: tuple[str, ...]
    """Versions of the policy the level history left out, and why."""
    made: RollbackBranch | None

    @property
    def due(self) -> tuple[Demotion, ...]:
        return tuple(d for d in self.binding if not d.applied)


def rollback_command(
    apply: Annotated[
        bool,
        typer.Option(help="Commit the demotions due on a new branch agentgov/rollback-<date>."),
    ] = False,
    branch: Annotated[
        str | None,
        typer.Option(help="With --apply: the branch to create instead (refused if it exists)."),
    ] = None,
    push: Annotated[
        bool, typer.Option(help="With --apply: push the branch to origin (never forced).")
    ] = False,
    output: Annotated[OutputFormat, typer.Option("--format", help="text or json")] = (
        OutputFormat.text
    ),
) -> None:
    """The demotions breached rollback triggers and open incidents require, at HEAD; with
    --apply, commit them (only the level values change) on a new branch for a PR. Exit 1
    when demotions are due and not applied (without --apply)."""
    from agentgov.audit.records import cyclic_gc_paused

    if (push or branch is not None) and not apply:
        raise UsageError("--push and --branch go with --apply")
    with cyclic_gc_paused():
        report = _rollback(Path.cwd(), apply=apply, branch=branch, push=push)
    typer.echo(_json(report) if output is OutputFormat.json else _text(report))
    if report.due and report.made is None:
        raise typer.Exit(int(ExitCode.VIOLATION))


def _rollback(cwd: Path, *, apply: bool, branch: str | None, push: bool) -> RollbackReport:
    from agentgov.adapters.rollback_branch import (
        branch_name,
        commit_rollback,
        head_policy,
        refuse_dirty,
    )
    from agentgov.cli_evidence import gather
    from agentgov.evidence.standing import standing
    from agentgov.gate.demotions import binding, history_start, required_demotions
    from agentgov.gate.level_history import level_history
    from agentgov.git_layout import find_repo
    from agentgov.policy.in_force import POLICY_PATH, PolicyInForce
    from agentgov.policy.load import load_bytes

    layout = find_repo(cwd)
    if layout is None:
        raise UsageError("not inside a git repository: rollback demotes its committed policy")
    root = layout.root
    committed = head_policy(root)
    name = None
    if apply:
        refuse_dirty(root, committed)
        name = branch_name(root, branch)  # refused now, before anything is measured
    label = f"{committed.commit[:12]}:{POLICY_PATH}"
    policy = load_bytes(committed.raw, label)
    found = PolicyInForce(policy, "branch", label, commit=committed.commit)
    gathered = gather(committed.commit, found, root)
    # the open incidents are the trail's now, also those recorded since HEAD was committed
    # (the hook's reset applies them at once too); the metrics are measured at HEAD
    standings = standing(policy, gathered.series, gathered.at_time, gathered.incidents_now)
    since = history_start(standings, gathered.at_time)
    levels = level_history(root, committed.commit, since)
    demotions = required_demotions(policy, standings, levels)
    lowest = tuple(binding(demotions).values())
    made = None
    if name is not None and any(not d.applied for d in lowest):
        made = commit_rollback(root, committed, demotions, name, push=push)
    return RollbackReport(committed.commit, label, demotions, lowest, levels.skipped, made)


def _text(report: RollbackReport) -> str:
    lines = [f"rollback at {report.head[:12]} with {report.policy}"]
    if not report.demotions:
        lines.append("no demotion is due: no rollback trigger is breached and no incident is open")
    due = [d for d in report.demotions if not d.applied]
    applied = [d for d in report.demotions if d.applied]
    if due:
        lines.append("due:")
        lines.extend(f"  {_marked(d, report)}" for d in due)
    if applied:
        lines.append("already applied:")
        lines.extend(f"  {_marked(d, report)}" for d in applied)
    lines.extend(f"note: level history skips {one}" for one in report.skipped)
    made = report.made
    if made is not None:
        pushed = "; pushed to origin" if made.pushed else ""
        lines.append(
            f"committed {made.commit[:12]} on the new branch {made.branch} (from "
            f"{made.parent[:12]}){pushed}: open a pull request from it"
        )
    elif due:
        lines.append("run `agentgov rollback --apply` to commit them on a branch for a PR")
    return "\n".join(lines)


def _marked(demotion: Demotion, report: RollbackReport) -> str:
    """A demotion's words; where several triggers fire for its class, whether it binds."""
    from agentgov.reporters.judgement_words import demotion_words

    words = demotion_words(demotion)
    if sum(d.task_class == demotion.task_class for d in report.demotions) < 2:
        return words
    if any(d is demotion for d in report.binding):
        return f"{words} (binding: the lowest target)"
    return f"{words} (a lower target binds)"


def _json(report: RollbackReport) -> str:
    from agentgov.reporters.check_json import demotion_json

    def one(demotion: Demotion) -> dict[str, Any]:
        binds = any(d is demotion for d in report.binding)
        return {**demotion_json(demotion), "binding": binds}

    made = report.made
    return json.dumps(
        {
            "v": 1,
            "head": report.head,
            "policy": report.policy,
            "demotions": [one(d) for d in report.demotions],
            "due": {d.task_class: d.to_level.value for d in report.due},
            "skipped": list(report.skipped),
            "branch": made.branch if made else None,
            "commit": made.commit if made else None,
            "pushed": made.pushed if made else False,
        },
        indent=2,
    )
