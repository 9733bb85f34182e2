"""What evidence is measured from, read once: the trail's facts and links, and the history.

``read_sources`` starts ``git log`` at a commit and reads the trail while git walks;
``measure`` turns the sources into a ``Gathered`` at any commit of that history, with any
policy: ``status`` and ``metrics`` measure at HEAD with the policy in force, and ``check``
measures at base with base's policy and at head with head's from one read
(docs/evidence.md, docs/ci.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from agentgov.evidence.commit_evidence import history_evidence
from agentgov.evidence.git_history import History, start_history
from agentgov.evidence.history_links import TrailLinks
from agentgov.evidence.measure import Series
from agentgov.evidence.observations import Unseen
from agentgov.evidence.paths_cache import CachedPaths
from agentgov.evidence.trail_metrics import TrailEvidence, trail_evidence
from agentgov.evidence.trail_read import TrailRead, read_slim_trail
from agentgov.evidence.windows import Incident, incidents_at
from agentgov.git_layout import RepoLayout
from agentgov.policy.in_force import PolicyInForce


@dataclass(frozen=True)
class Gathered:
    found: PolicyInForce
    at: str
    at_time: float
    series: Series
    incidents: tuple[Incident, ...]
    unseen: tuple[Unseen, ...]
    incidents_now: tuple[Incident, ...] = ()
    """Every incident the trail holds, with its resolution, whenever recorded: what holds a
    class down now (``incidents`` are those known at the commit measured at)."""


@dataclass(frozen=True)
class Sources:
    layout: RepoLayout
    history: History
    """Every commit reachable from the commit the reading started at."""
    links: TrailLinks
    trail: TrailEvidence
    unreadable: int


def read_sources(
    layout: RepoLayout, notes_ref: str, tip: str, *, pending: bool, read: TrailRead | None = None
) -> Sources:
    """The trail on ``notes_ref`` (and this clone's journal, with ``pending``; or ``read``,
    the trail a caller has read already) and the history reachable from the commit
    ``tip``. Call inside ``cyclic_gc_paused``."""
    reading = start_history(layout.root, tip)  # git walks while the trail is read
    if read is None:
        read = read_slim_trail(layout, notes_ref, pending=pending)
    trail = trail_evidence(read.facts)
    return Sources(layout, reading.finish(), read.links, trail, read.unreadable)


def measure(sources: Sources, found: PolicyInForce, at: str) -> Gathered:
    """The evidence at the commit ``at`` (one of the history's) read with ``found``'s
    policy: only commits reachable from ``at`` count, and windows end at its time."""
    history = sources.history if at == sources.history.at else reachable(sources.history, at)
    at_time = history.by_sha[at].time
    paths = CachedPaths(sources.layout, history.shallow)
    commits = history_evidence(sources.layout.root, found.policy, sources.links, history, paths)
    trail = sources.trail
    unseen = [*trail.unseen, *commits.unseen]
    if sources.unreadable:
        unseen.append(
            Unseen("unreadable trail lines (see agentgov audit verify)", sources.unreadable)
        )
    return Gathered(
        found,
        at,
        at_time,
        Series([*trail.observations, *commits.observations], trail.pending),
        incidents_at(trail.incidents, at_time),
        tuple(unseen),
        incidents_at(trail.incidents, float("inf")),
    )


def reachable(history: History, tip: str) -> History:
    """The part of ``history`` reachable from ``tip`` (a commit of it), in its order."""
    by_sha = history.by_sha
    seen = {tip}
    stack = [tip]
    while stack:
        commit = by_sha.get(stack.pop())
        if commit is None:
            continue
        for parent in commit.parents:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return History(tip, tuple(c for c in history.commits if c.sha in seen), history.shallow)
