"""Evidence windows: where each criterion's window starts and ends, and incidents.

A window ends at the committer time of the commit measured at (``--at``, HEAD by default),
never at the wall clock, so every clone and CI measure the same thing at the same commit.
It reaches back its length, but no further than the last incident recorded for its task
class: an incident restarts every window of its class (trust resets asymmetrically;
docs/evidence.md#windows-and-incidents). ``not-rising`` compares a window with the window
of the same length just before it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from agentgov.errors import UsageError
from agentgov.evidence.trail_metrics import Fact

DAY = 86400.0
_WINDOW = re.compile(r"([1-9][0-9]{0,4})([hdw])")
_UNIT_SECONDS = {"h": 3600.0, "d": DAY, "w": 7 * DAY}


@dataclass(frozen=True)
class Window:
    """The half-open span (start, end] in epoch seconds; ``label`` as written (``14d``);
    ``restarted_by`` names the incident that cut it short."""

    start: float
    end: float
    label: str
    restarted_by: str = ""

    @property
    def length(self) -> float:
        return self.end - self.start

    def before(self) -> Window:
        """The window of the same length just before this one."""
        return Window(self.start - self.length, self.start, self.label)


@dataclass(frozen=True)
class Incident:
    """A recorded incident of one task class; ``resolved`` is when it was resolved (None:
    still open at the time measured)."""

    id: str
    task_class: str
    time: float
    severity: str
    note: str
    commit: str
    resolved: float | None = None


def parse_window(text: str) -> tuple[str, float]:
    """``14d``, ``6w``, ``48h`` -> (label, seconds); anything else is a usage error."""
    found = _WINDOW.fullmatch(text.strip())
    if found is None:
        raise UsageError(f"--window {text!r}: give a length like 14d, 6w or 48h")
    return found.group(0), int(found.group(1)) * _UNIT_SECONDS[found.group(2)]


def days_label(days: int) -> str:
    return f"{days}d"


def incidents_at(facts: Iterable[Fact], at: float) -> tuple[Incident, ...]:
    """The incidents opened at or before ``at``, each with its resolution if that came
    at or before ``at`` too, in the order they were opened."""
    opened: dict[str, Incident] = {}
    resolved: dict[str, float] = {}
    for fact in facts:
        if fact.kind != "incident" or fact.time > at:
            continue
        key = fact.incident or f"{fact.session}:{fact.seq}"
        if fact.event == "resolve":
            resolved.setdefault(key, fact.time)
        elif key not in opened:
            opened[key] = Incident(
                key, fact.task_class, fact.time, fact.severity, fact.note, fact.commit
            )
    found = [
        Incident(i.id, i.task_class, i.time, i.severity, i.note, i.commit, resolved.get(i.id))
        for i in opened.values()
    ]
    return tuple(sorted(found, key=lambda incident: (incident.time, incident.id)))


def window_for(
    task_class: str, label: str, seconds: float, end: float, incidents: Iterable[Incident]
) -> Window:
    """The window of ``seconds`` ending at ``end`` for ``task_class``, restarted at the
    class's last incident inside it."""
    start = end - seconds
    restarted_by = ""
    for incident in incidents:
        if incident.task_class == task_class and start <= incident.time <= end:
            start, restarted_by = incident.time, incident.id
    return Window(start, end, label, restarted_by)
