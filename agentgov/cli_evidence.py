"""``agentgov metrics`` and ``agentgov status``: measure the evidence, judge the ladder.

Registered by ``cli.py``. The window of every metric ends at the committer time of the
commit measured at (``--at``, HEAD by default), so every clone and CI measure the same
thing at the same commit (docs/evidence.md#windows-and-incidents).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from agentgov.cli_format import OutputFormat
from agentgov.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from agentgov.evidence.sources import Gathered
    from agentgov.policy.in_force import PolicyInForce


def gather(
    at_ref: str | None, found: PolicyInForce | None = None, start: Path | None = None
) -> Gathered:
    """Everything measured at ``at_ref`` (HEAD): the trail's and the history's evidence,
    read with ``found``'s policy (default: the policy in force) in the repository
    containing ``start`` (default: the cwd).

    Called inside ``_gc_paused``."""
    from agentgov.audit.git_process import resolve_commit
    from agentgov.evidence.sources import measure, read_sources
    from agentgov.git_layout import find_repo
    from agentgov.policy.in_force import policy_in_force

    layout = find_repo(start or Path.cwd())
    if layout is None:
        raise UsageError("not inside a git repository: the evidence lives in one")
    revision = at_ref or "HEAD"
    at = resolve_commit(layout.root, revision)
    if at is None:
        raise UsageError(f"--at {revision}: not a commit here (give a branch, tag or sha)")
    found = found or policy_in_force(layout.root)
    sources = read_sources(layout, found.policy.audit.notes_ref, at, pending=True)
    return measure(sources, found, at)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused for a whole command: what evidence builds holds
    no cycles, and the collector's passes over 100,000 facts and observations (one more
    when it is switched back on) cost as much as the rest of a warm run. Reference counting
    frees everything as usual; ``gc.freeze`` keeps the objects alive now from being walked
    by the next pass."""
    from agentgov.audit.records import cyclic_gc_paused

    with cyclic_gc_paused():
        try:
            yield
        finally:
            gc.freeze()


def metrics_command(
    task_class: Annotated[
        str | None, typer.Option(help="Only this task class (default: every class).")
    ] = None,
    window: Annotated[str, typer.Option(help="Window length: 14d, 6w, 48h.")] = "14d",
    at: Annotated[
        str | None,
        typer.Option(
            help="Measure at this commit (default HEAD); the window ends at its committer time."
        ),
    ] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="text or json")] = (
        OutputFormat.text
    ),
) -> None:
    """Measure every escalation metric per task class over a window ending at a commit."""
    from agentgov.evidence.windows import parse_window

    label, seconds = parse_window(window)
    with _gc_paused():
        _metrics(task_class, label, seconds, at, output)


def _metrics(
    task_class: str | None, label: str, seconds: float, at: str | None, output: OutputFormat
) -> None:
    from agentgov.evidence.standing import metrics_of
    from agentgov.reporters.evidence_report import metrics_json, metrics_text

    gathered = gather(at)
    policy = gathered.found.policy
    names = [c.name for c in policy.task_classes]
    if task_class is not None:
        if task_class not in names:
            raise UsageError(
                f"--task-class {task_class}: not a class of the policy ({', '.join(names)})"
            )
        names = [task_class]
    measured = {
        name: (
            policy.task_class(name).level,
            metrics_of(gathered.series, name, label, seconds, gathered.at_time, gathered.incidents),
        )
        for name in names
    }
    report = metrics_json if output is OutputFormat.json else metrics_text
    typer.echo(report(gathered.at, measured, gathered.unseen))


def status_command(
    output: Annotated[OutputFormat, typer.Option("--format", help="text or json")] = (
        OutputFormat.text
    ),
) -> None:
    """Where each task class stands: level, effective level, the next level's exit
    criteria, rollback triggers, incidents, and the policy in force. Exit 1 when a rollback
    trigger is breached."""
    from agentgov.evidence.standing import standing
    from agentgov.reporters.evidence_report import status_json, status_text

    with _gc_paused():
        gathered = gather(None)
        standings = standing(
            gathered.found.policy, gathered.series, gathered.at_time, gathered.incidents
        )
        effective = {s.name: _effective(gathered, s.name) for s in standings}
        report = status_json if output is OutputFormat.json else status_text
        typer.echo(report(gathered.found, gathered.at, standings, effective, gathered.unseen))
        breached = any(t.breached for s in standings for t in s.triggers)
    if breached:
        raise typer.Exit(int(ExitCode.VIOLATION))


def _effective(gathered: Gathered, name: str) -> tuple[int, str]:
    """The level a class acts at now and why it differs from its configured one: the same
    answer the hook and ``decide`` get (``adapters/effective_level.py``), with the open
    incidents of this clone's file and of the trail (a fresh clone in CI has only the
    trail)."""
    import os

    from agentgov.adapters.effective_level import effective_level
    from agentgov.adapters.incident_state import OpenIncident, read_open
    from agentgov.git_layout import find_repo

    policy = gathered.found.policy
    layout = find_repo(Path.cwd())
    known = {one.id: one for one in read_open(layout.state_dir)} if layout else {}
    for one in gathered.incidents_now:
        if one.resolved is None and one.id not in known:
            known[one.id] = OpenIncident(one.id, one.task_class, one.severity, one.note)
    effective = effective_level(
        policy,
        name,
        policy.task_class(name).level,
        layout,
        os.environ,
        incidents=tuple(known.values()),
    )
    return effective.level.value, effective.because
