"""The trail's metrics: approvals, interventions, denials and turn durations, as
observations per task class (docs/evidence.md#metrics).

Each audit record is first cut down to a ``Fact``: the few fields a metric reads
(``record_slim``). Facts are what the per-blob cache keeps (``trail_read``), so a warm run
parses no JSON. Then, per
session in ``seq`` order:

- ``deny_rate``: every decision is one sample; a ``deny`` verdict of the guard counts.
- ``approval_rate``: every ``ask`` that reached a human (not one ``sent`` as a deny: no
  human could answer it) is one sample; it counts as approved when an outcome record of the
  session names its ``tool_use_id`` (the tool ran). An ask without an outcome is rejected
  once its turn ended (a later turn or session record); before that it is still open, and
  counted as unseen.
- ``intervention_rate``: every turn that ended (a ``stop`` record) is one sample; it counts
  when the user interrupted it (``interrupted``, the transcript's interrupt markers),
  rejected a tool call in it (the transcript's rejections), or left one of its asks
  unanswered. A turn counts once however many of these it had: a rejection is usually
  followed by the interrupt marker, and a rate must stay a share of turns.
- ``turn_duration``: the ``duration_ms`` of every turn that was not interrupted (an
  interrupted turn is closed by the next prompt, so its duration includes the idle time).

A turn belongs to the task classes its decisions were judged for; a turn without a tool
call belongs to ``default``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from agentgov.evidence.observations import Observation, Unseen

DEFAULT_CLASS = "default"


class Fact(NamedTuple):
    """What the metrics read of one record (a plain tuple, so the cache can store it)."""

    kind: str
    session: str
    seq: int
    time: float
    task_class: str = ""
    decision: str = ""
    sent: str = ""
    tool_use_id: str = ""
    event: str = ""
    interrupted: bool = False
    duration_ms: int = -1
    rejections: int = 0
    interruptions: int = 0
    incident: str = ""
    severity: str = ""
    note: str = ""
    commit: str = ""
    pending: bool = False


@dataclass(frozen=True)
class TrailEvidence:
    """Observations from the trail; ``pending`` holds those measured from journal records
    not yet in the notes (this clone's alone), ``incidents`` the incident records."""

    observations: tuple[Observation, ...]
    pending: tuple[Observation, ...]
    incidents: tuple[Fact, ...]
    unseen: tuple[Unseen, ...]


def epoch(stamp: object) -> float | None:
    """A record's ``ts`` (ISO 8601, ``Z``) in seconds since the epoch; None if unreadable."""
    if not isinstance(stamp, str):
        return None
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.timestamp()


def trail_evidence(facts: Iterable[Fact]) -> TrailEvidence:
    """Observations of the four trail metrics, per task class, from the trail's facts."""
    by_session: dict[str, list[Fact]] = {}
    incidents: list[Fact] = []
    for fact in facts:
        if fact.kind == "incident":
            incidents.append(fact)
        else:
            by_session.setdefault(fact.session, []).append(fact)
    out = _Collector()
    for session_facts in by_session.values():
        session_facts.sort(key=_seq)
        _session(session_facts, out)
    incidents.sort(key=_time)
    return TrailEvidence(
        tuple(out.observations), tuple(out.pending), tuple(incidents), out.unseen()
    )


def _seq(fact: Fact) -> int:
    return fact.seq


def _time(fact: Fact) -> float:
    return fact.time


_new = tuple.__new__


class _Collector:
    def __init__(self) -> None:
        self.observations: list[Observation] = []
        self.pending: list[Observation] = []
        self.open_asks: list[str] = []
        self.unjoinable: list[str] = []

    def add(self, fact: Fact, metric: str, task_class: str, value: float, subject: str) -> None:
        # tuple.__new__ is Observation(...) without the Python-level __new__: 70,000 of
        # them are made from a trail of 100,000 records
        found = _new(Observation, (metric, task_class or DEFAULT_CLASS, fact.time, value, subject))
        (self.pending if fact.pending else self.observations).append(found)

    def unseen(self) -> tuple[Unseen, ...]:
        found = []
        if self.open_asks:
            found.append(
                Unseen(
                    "asks still awaiting an answer", len(self.open_asks), tuple(self.open_asks[:10])
                )
            )
        if self.unjoinable:
            found.append(
                Unseen(
                    "asks without a tool_use_id (no outcome can name them)",
                    len(self.unjoinable),
                    tuple(self.unjoinable[:10]),
                )
            )
        return tuple(found)


def _session(facts: list[Fact], out: _Collector) -> None:
    ran = {f.tool_use_id for f in facts if f.kind == "outcome" and f.tool_use_id}
    closed_after = max((f.seq for f in facts if f.kind in ("turn", "session")), default=-1)
    turn_classes: set[str] = set()
    turn_rejected = 0
    new = _new
    for fact in facts:
        kind = fact.kind
        if kind == "decision":
            task_class = fact.task_class or DEFAULT_CLASS
            turn_classes.add(task_class)
            time, subject = fact.time, fact.tool_use_id
            listed = out.pending if fact.pending else out.observations
            denied = 1.0 if fact.decision == "deny" else 0.0
            listed.append(new(Observation, ("deny_rate", task_class, time, denied, subject)))
            if fact.decision != "ask" or fact.sent not in ("", "ask"):
                continue
            if not subject:
                out.unjoinable.append(f"{fact.session}:{fact.seq}")
            elif subject in ran:
                listed.append(new(Observation, ("approval_rate", task_class, time, 1.0, subject)))
            elif fact.seq < closed_after:
                listed.append(new(Observation, ("approval_rate", task_class, time, 0.0, subject)))
                turn_rejected += 1
            else:
                out.open_asks.append(f"{fact.session}:{fact.seq}")
        elif kind == "turn":
            event = fact.event
            if event == "prompt":
                turn_classes, turn_rejected = set(), 0
            elif event == "stop":
                interrupted = fact.interrupted or fact.interruptions > 0
                intervened = interrupted or fact.rejections > 0 or turn_rejected > 0
                subject = f"{fact.session}:{fact.seq}"
                duration = fact.duration_ms
                for task_class in sorted(turn_classes or {DEFAULT_CLASS}):
                    out.add(fact, "intervention_rate", task_class, float(intervened), subject)
                    if not interrupted and duration >= 0:
                        out.add(fact, "turn_duration", task_class, float(duration), subject)
                turn_classes, turn_rejected = set(), 0
