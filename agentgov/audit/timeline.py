"""The timeline ``agentgov log`` shows: records filtered, grouped by session, in order,
each with what was uncertain about it.

Uncertainty is where a human should look first, more than at what was plainly allowed or
denied: a ``dynamic`` action (agentgov could not see what it would do), an ``ask`` (and
whether the human approved it: an outcome with the same ``tool_use_id`` means it ran), a
shadow rule that *would* have denied, and an answer sent that differs from the decision
(an ask turned into a deny because no human could answer).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from agentgov.audit.records import Record
from agentgov.errors import UsageError

_RELATIVE = re.compile(r"(\d+)\s*([mhdw])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True)
class LogQuery:
    """Which records to show; None means no filter. ``since`` is a UTC timestamp in the
    records' own format, so it compares as a string; ``session`` matches a prefix."""

    since: str | None = None
    session: str | None = None
    task_class: str | None = None
    decision: str | None = None
    rule: str | None = None

    @property
    def active(self) -> bool:
        return any(
            value is not None
            for value in (self.since, self.session, self.task_class, self.decision, self.rule)
        )

    def matches(self, record: Record) -> bool:
        fields = record.record
        if self.since is not None and str(fields.get("ts", "")) < self.since:
            return False
        if self.session is not None and not record.session.startswith(self.session):
            return False
        if self.task_class is not None and fields.get("task_class") != self.task_class:
            return False
        if self.decision is not None and fields.get("decision") != self.decision:
            return False
        if self.rule is not None:
            hits = [*fields.get("rules", ()), *fields.get("would_deny", ())]
            if self.rule not in hits:
                return False
        return True


@dataclass(frozen=True)
class Entry:
    """A record on the timeline, and what was uncertain about it (empty: nothing)."""

    record: Record
    uncertain: tuple[str, ...]


@dataclass(frozen=True)
class SessionTimeline:
    session: str
    entries: tuple[Entry, ...]


def timeline(records: Iterable[Record], query: LogQuery) -> tuple[SessionTimeline, ...]:
    """Sessions in order of their first shown record; records by seq within each.

    Asks are joined to outcomes over the whole session, before filtering, so ``--decision
    ask`` still tells which asks were approved.
    """
    sessions: dict[str, list[Record]] = {}
    for record in records:
        sessions.setdefault(record.record["session"], []).append(record)
    result = []
    for session, members in sessions.items():
        ran = {
            str(r.record.get("tool_use_id"))
            for r in members
            if r.record.get("kind") == "outcome" and r.record.get("tool_use_id")
        }
        chosen = [r for r in members if query.matches(r)] if query.active else members
        shown = sorted(chosen, key=_order)
        if shown:
            entries = tuple(Entry(r, uncertainty(r, ran)) for r in shown)
            result.append(SessionTimeline(session, entries))
    result.sort(key=lambda s: (str(s.entries[0].record.record.get("ts", "")), s.session))
    return tuple(result)


def _order(record: Record) -> tuple[int, str]:
    return record.record["seq"], record.text


def uncertainty(record: Record, ran: set[str]) -> tuple[str, ...]:
    """Short phrases for what a human should look at; ``ran`` holds tool_use_ids with an
    outcome in the session."""
    fields = record.record
    if fields.get("kind") != "decision":
        return ()
    found: list[str] = []
    if fields.get("class") == "dynamic":
        found.append("dynamic: agentgov could not tell what it would do")
    decision, sent = fields.get("decision"), fields.get("sent")
    if decision == "ask":
        if sent not in (None, "ask"):
            found.append(f"asked, but sent {sent}: no human could answer")
        elif fields.get("tool_use_id") and str(fields.get("tool_use_id")) in ran:
            found.append("asked: approved (it ran)")
        else:
            found.append("asked: no outcome recorded (rejected, or not run yet)")
    elif sent is not None and sent != decision:
        found.append(f"sent {sent} instead of {decision}")
    shadow = fields.get("would_deny") or []
    if shadow:
        found.append(f"shadow: {', '.join(map(str, shadow))} would deny")
    return tuple(found)


def parse_since(text: str, now: datetime | None = None) -> str:
    """A ``--since`` value as a record timestamp: an ISO date or time (UTC unless it
    says otherwise), or a span back from now: ``30m``, ``12h``, ``7d``, ``2w``."""
    value = text.strip()
    relative = _RELATIVE.fullmatch(value)
    if relative:
        delta = timedelta(**{_UNITS[relative.group(2)]: int(relative.group(1))})
        moment = (now or datetime.now(timezone.utc)) - delta
    else:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise UsageError(
                f"--since {text!r}: give a date (2024-05-01), a time (2024-05-01T10:00, UTC "
                "unless an offset is given) or a span back from now (30m, 12h, 7d, 2w)"
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
    utc = moment.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
