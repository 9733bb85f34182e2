"""Which agent commits a person should review: a deterministic sample (docs/evidence.md).

A commit is in the sample when the first 64 bits of sha256(its id), read as a fraction of
2**64, fall below the rate (the policy's ``audit.review_sample_rate``). It depends on the
commit id alone, so every clone and every CI run pick the same commits, and a commit once
picked stays picked as the history grows. Commits some ``review`` record is already about
are left out. Pure: it works on ``CommitEvidence``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from agentgov.evidence.agent_commits import AgentCommit
from agentgov.evidence.commit_evidence import CommitEvidence

_SCALE = float(2**64)


@dataclass(frozen=True)
class Sample:
    """The picks, grouped by task class (policy order of names, then by name), newest
    first within a class; ``considered`` agent commits in the window, ``reviewed`` of
    them already reviewed."""

    at: str
    rate: float
    since: float | None
    by_class: tuple[tuple[str, tuple[AgentCommit, ...]], ...]
    considered: int
    reviewed: int

    @property
    def picks(self) -> tuple[AgentCommit, ...]:
        return tuple(pick for _name, picks in self.by_class for pick in picks)


def sample_point(sha: str) -> float:
    """Where a commit falls in [0, 1): the first 64 bits of sha256(its id)."""
    digest = hashlib.sha256(sha.lower().encode("ascii")).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


def in_sample(sha: str, rate: float) -> bool:
    return sample_point(sha) < rate


def review_sample(
    evidence: CommitEvidence,
    rate: float,
    since: float | None = None,
    class_order: tuple[str, ...] = (),
) -> Sample:
    """The agent commits of ``evidence`` (committed at or after ``since``) in the sample
    at ``rate`` that no review is about yet."""
    window = [c for c in evidence.agent_commits if since is None or c.time >= since]
    reviewed = [c for c in window if c.sha in evidence.reviewed]
    picks = [c for c in window if c.sha not in evidence.reviewed and in_sample(c.sha, rate)]
    rank = {name: number for number, name in enumerate(class_order)}
    names = sorted({c.task_class for c in picks}, key=lambda n: (rank.get(n, len(rank)), n))
    grouped = tuple((name, tuple(c for c in picks if c.task_class == name)) for name in names)
    return Sample(evidence.at, rate, since, grouped, len(window), len(reviewed))
