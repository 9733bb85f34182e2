"""What every metric is measured from: observations, each one event for one task class.

The trail (decisions, outcomes, turns) and git history (agent commits, reverts, fixes,
reviews, CI results) are read into observations; windows, per-class grouping, Wilson
intervals and verdicts are computed from observations alone, so every metric is measured
the same way (docs/evidence.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class Observation(NamedTuple):
    """One event that counts toward ``metric`` for ``task_class``.

    A named tuple rather than a frozen dataclass: just as immutable, and a trail of 100,000
    records makes about as many of them, where a frozen dataclass's ``__init__`` (one
    ``object.__setattr__`` a field) cost a third of a second of the 2 s budget.

    For a rate, each observation is one unit of the denominator and ``value`` is 1.0 when it
    also counts in the numerator (an approved ask, a reverted agent commit), else 0.0. For
    ``turn_duration`` the value is the turn's duration in milliseconds. ``time`` is when it
    happened, in seconds since the epoch (a record's ``ts``, a commit's committer time), and
    ``subject`` names what it is about (a commit sha, a tool_use_id) for explanations.
    """

    metric: str
    task_class: str
    time: float
    value: float
    subject: str = ""


@dataclass(frozen=True)
class Unseen:
    """Evidence that could not be used: counted and reported, never silently dropped (a
    revert whose target could not be resolved to one commit, a shallow clone's cut-off)."""

    what: str
    count: int
    detail: tuple[str, ...] = ()
