"""What the history side reads of the trail: the few records that tie the trail to commits.

``commit_evidence`` needs no whole records: of each tool call, its session, seq, the commits
whose notes hold it and what its decision recorded for an edit; of post-commit's records the
commit made; the ``parked`` ranges; review and CI verdicts; opened incidents. The trail
reader (``trail_read``) builds these from the same pass and cache as the metrics' facts;
``links_of_records`` builds them from ``audit.records.Record``s (tests, ``audit sample``).
Tool calls, post-commit and parked records count only from the notes (a pending record
sits on no commit yet); verdicts and incidents count from the journal too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from agentgov.audit.records import Record, place_text
from agentgov.evidence.record_slim import CALL, INCIDENT, MADE, PARKED, VERDICT_KINDS, slim_of

Edit = tuple[str, "str | None", str, int]
"""(task_class, tool, class, level) of a decision not sent as a deny."""


class Call(NamedTuple):
    """A Claude Code tool call (decision, outcome or permission record) in the notes."""

    session: str
    seq: int
    edit: Edit | None


class Calls(NamedTuple):
    """Consecutive tool calls (in trail order) held in the same notes: ``places``, the
    commits whose notes hold them, the first where they were read first."""

    places: tuple[str, ...]
    calls: tuple[Call, ...]


class Made(NamedTuple):
    """post-commit's record that an agent session made ``commit`` (as the record names it)."""

    commit: str | None
    marker: str
    places: tuple[str, ...]


class Verdict(NamedTuple):
    """A ``review`` or ``ci`` record: ``where`` it is stored, for messages."""

    kind: str
    session: str
    commit: str
    verdict: str
    ts: str
    where: str
    places: tuple[str, ...]


class Opened(NamedTuple):
    """An ``incident`` record that opened incident ``id`` about ``commit``."""

    commit: str
    id: str


@dataclass(frozen=True)
class TrailLinks:
    calls: tuple[Calls, ...] = ()
    made: tuple[Made, ...] = ()
    parked: Mapping[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    verdicts: tuple[Verdict, ...] = ()
    incidents: tuple[Opened, ...] = ()


_new = tuple.__new__


class LinkCollector:
    """Links in trail order; a link's places may still grow (copies found later) until
    ``links()``."""

    def __init__(self) -> None:
        self._items: list[tuple[tuple[Any, ...], list[str], str, int]] = []

    def add(self, link: tuple[Any, ...], places: list[str], first: str, line: int) -> None:
        """``places``: the commits whose notes hold the record (empty for a pending one),
        shared with the caller, which appends copies; ``first``, ``line``: where it was
        read first (a commit, or a journal file)."""
        if not places and link[0] in (CALL, MADE, PARKED):
            return
        self._items.append((link, places, first, line))

    def links(self) -> TrailLinks:
        calls: list[Calls] = []
        group: list[Call] = []
        group_places: list[str] | None = None
        made: list[Made] = []
        parked: dict[str, list[tuple[int, int]]] = {}
        verdicts: list[Verdict] = []
        incidents: list[Opened] = []
        for link, places, first, line in self._items:
            kind = link[0]
            if kind == CALL:
                if places != group_places:
                    if group_places is not None:
                        calls.append(Calls(tuple(group_places), tuple(group)))
                    group, group_places = [], places
                group.append(_new(Call, link[1:]))
            elif kind == MADE:
                made.append(Made(link[3], link[4], tuple(places)))
            elif kind == PARKED:
                parked.setdefault(link[1], []).append((link[3], link[4]))
            elif kind in VERDICT_KINDS:
                _kind, session, _seq, commit, verdict, ts = link
                where = place_text(first, line)
                verdicts.append(Verdict(kind, session, commit, verdict, ts, where, tuple(places)))
            elif kind == INCIDENT:
                incidents.append(Opened(link[3], link[4]))
        if group_places is not None:
            calls.append(Calls(tuple(group_places), tuple(group)))
        return TrailLinks(
            tuple(calls),
            tuple(made),
            {session: tuple(spans) for session, spans in parked.items()},
            tuple(verdicts),
            tuple(incidents),
        )


def links_of_records(records: Iterable[Record]) -> TrailLinks:
    """The links of records read whole (``audit.records.read_trail``)."""
    collector = LinkCollector()
    for item in records:
        slim = slim_of(item.record)
        if slim is None or slim[1] is None:
            continue
        places: list[str] = []
        if item.commit is not None:
            places.append(item.commit)
            for where, _line in item.copies:
                if where not in places:
                    places.append(where)
        collector.add(slim[1], places, item.commit or item.journal or "?", item.line)
    return collector.links()
