"""This clone's open incidents: a small file the hook reads with a stat (docs/evidence.md).

``agentgov incident record`` writes the incident to the audit trail (the record is what CI
and ``agentgov status`` read) and also here, ``.git/agentgov/incidents.json``, so that the
reset it causes applies at once on this clone; ``resolve`` removes it, and the file goes
when nothing is open. Inside ``.git/agentgov/`` it is a guarded path (``guard.tamper``).

How a recorded incident matches a rollback trigger's ``incident`` value: by severity,
case-insensitively; ``*`` or ``any`` matches every severity. The trigger's ``classes`` (none
= every class) must include the incident's task class; only that class is reset.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from agentgov.errors import AgentgovError, ExitCode
from agentgov.policy.model import Level, Policy, RollbackTrigger

INCIDENTS_FILE = "incidents.json"
STATE_VERSION = 1
_ANY = frozenset({"*", "any"})


@dataclass(frozen=True)
class OpenIncident:
    """An incident recorded and not resolved."""

    id: str
    task_class: str
    severity: str
    note: str = ""
    commit: str | None = None
    at: str = ""


def incidents_path(state_dir: Path) -> Path:
    return state_dir / INCIDENTS_FILE


def read_open(state_dir: Path) -> tuple[OpenIncident, ...]:
    """The open incidents this clone recorded; nothing when the file is absent.

    An unreadable or damaged file is an error: it may hold a reset, and the hook fails
    closed on it."""
    path = incidents_path(state_dir)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return ()
    except NotADirectoryError:
        return ()
    try:
        data = json.loads(raw)
        entries = data["open"]
        return tuple(
            OpenIncident(
                id=str(entry["id"]),
                task_class=str(entry["task_class"]),
                severity=str(entry["severity"]),
                note=str(entry.get("note", "")),
                commit=entry.get("commit"),
                at=str(entry.get("at", "")),
            )
            for entry in entries
        )
    except (ValueError, KeyError, TypeError) as err:
        raise IncidentStateError(
            f"{path}: not an agentgov incidents file ({type(err).__name__}: {err}); "
            "a person runs `agentgov incident list` to rebuild it from the audit trail"
        ) from None


def write_open(state_dir: Path, incidents: Iterable[OpenIncident]) -> None:
    """Replace the open incidents (atomically); remove the file when none is open."""
    path = incidents_path(state_dir)
    entries = [
        {
            key: value
            for key, value in (
                ("id", one.id),
                ("task_class", one.task_class),
                ("severity", one.severity),
                ("note", one.note),
                ("commit", one.commit),
                ("at", one.at),
            )
            if value is not None
        }
        for one in incidents
    ]
    if not entries:
        path.unlink(missing_ok=True)
        return
    state_dir.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_text(
        json.dumps({"v": STATE_VERSION, "open": entries}, indent=1) + "\n", encoding="utf-8"
    )
    os.replace(temporary, path)


def trigger_matches(trigger: RollbackTrigger, incident: OpenIncident) -> bool:
    """Whether a rollback trigger fires on this incident (severity, then class)."""
    if trigger.incident is None:
        return False
    wanted = trigger.incident.strip().lower()
    if wanted not in _ANY and wanted != incident.severity.strip().lower():
        return False
    return not trigger.classes or incident.task_class in trigger.classes


def incident_reset(
    policy: Policy, task_class: str, current: Level, incidents: Iterable[OpenIncident]
) -> tuple[Level, OpenIncident, RollbackTrigger] | None:
    """The lowest level the open incidents of ``task_class`` reset it to (below
    ``current``), with the incident and trigger that did it; None when none lowers it."""
    best: tuple[Level, OpenIncident, RollbackTrigger] | None = None
    for incident in incidents:
        if incident.task_class != task_class:
            continue
        for trigger in policy.rollback:
            if not trigger_matches(trigger, incident):
                continue
            target = trigger.action.target(current)
            if target < current and (best is None or target < best[0]):
                best = (target, incident, trigger)
    return best


class IncidentStateError(AgentgovError):
    """The clone's incidents file is damaged."""

    exit_code = ExitCode.INTERNAL
