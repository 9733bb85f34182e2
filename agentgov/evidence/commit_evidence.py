"""The git-history side of the evidence: observations from agent commits, reverts, fixes,
incidents, reviews and CI records (docs/evidence.md).

``commit_evidence`` reads the branch at ``at`` with one ``git log`` and produces, for the
metrics:

- per agent commit, a ``defect_escape_rate`` observation: time = its committer time,
  value 1.0 when it escaped (``defects.find_defects``);
- per ``ci`` record on an agent commit, a ``ci_failure_rate`` observation (1.0 for
  ``fail``);
- per ``review`` record of an agent commit, an ``audit_disagreement_rate`` observation
  (1.0 for ``disagree``).

A review or CI record is about the commit its ``commit`` field names, or the commit whose
note holds it (a squash commit that got the pull request's records by reattach). Its
observation takes that commit's committer time, not the record's ``ts``: a review or a CI
result is evidence about the commit and counts in the window the commit is in. Reviews
come after the commit by nature, so their ``ts`` would put them outside a window that ends
at the commit measured at (``--at``, normally the branch tip) until the next commit. A
``ts`` before the commit's own time can only come from clocks that disagree (two clones,
a CI runner); such records are listed in ``skewed``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from agentgov.audit.records import SHORT, Record
from agentgov.evidence.agent_commits import AgentCommit, find_agent_commits
from agentgov.evidence.defects import find_defects
from agentgov.evidence.git_history import History, changed_paths, read_history
from agentgov.evidence.history_links import TrailLinks, Verdict, links_of_records
from agentgov.evidence.observations import Observation, Unseen
from agentgov.evidence.trail_metrics import epoch
from agentgov.policy.model import Policy

DEFECT_ESCAPE = "defect_escape_rate"
CI_FAILURE = "ci_failure_rate"
AUDIT_DISAGREEMENT = "audit_disagreement_rate"
SHALLOW = "shallow-history"


@dataclass(frozen=True)
class CommitEvidence:
    """What the history at ``at`` says (``at`` is the commit it was read at).

    ``observations``: the metrics' input, newest commit first. ``unseen``: links and
    history that could not be used, by kind (``revert-unresolved``, ``revert-ambiguous``,
    ``fix-unresolved``, ``incident-unresolved``, ``shallow-history``). ``agent_commits``:
    each with its task class and why it counts. ``escaped``: the agent commits that
    escaped as defects and why. ``shallow``: the commits a shallow clone's history stops
    at (older commits, their reverts and their records cannot be seen). ``skewed``: the
    records whose ``ts`` is before their commit's committer time. ``reviewed``: the
    commits some ``review`` record is about.
    """

    at: str
    observations: tuple[Observation, ...]
    unseen: tuple[Unseen, ...]
    agent_commits: tuple[AgentCommit, ...]
    escaped: Mapping[str, tuple[str, ...]]
    shallow: tuple[str, ...] = ()
    skewed: tuple[str, ...] = ()
    reviewed: frozenset[str] = frozenset()


def commit_evidence(
    root: Path, policy: Policy, records: Sequence[Record], at: str
) -> CommitEvidence:
    """The evidence of the history reachable from the revision ``at`` in ``root``."""
    return history_evidence(root, policy, links_of_records(records), read_history(root, at))


def history_evidence(
    root: Path,
    policy: Policy,
    links: TrailLinks,
    history: History,
    paths_of: Callable[[Path, Sequence[str]], Mapping[str, tuple[str, ...]]] = changed_paths,
) -> CommitEvidence:
    """The evidence of ``history`` (``read_history``) given what the trail links to it."""
    agents = find_agent_commits(root, history, links, policy, paths_of)
    by_sha = {agent.sha: agent for agent in agents}
    defects = find_defects(history, by_sha, links.incidents)
    observations = [
        Observation(
            DEFECT_ESCAPE,
            agent.task_class,
            agent.time,
            1.0 if agent.sha in defects.escaped else 0.0,
            agent.sha,
        )
        for agent in agents
    ]
    skewed: list[str] = []
    reviewed: set[str] = set()
    for item in links.verdicts:
        kind = item.kind
        about = _about(history, item)
        if kind == "review":
            reviewed.update(about)
        agent = next((by_sha[sha] for sha in about if sha in by_sha), None)
        if agent is None:
            continue
        when = agent.time
        written = epoch(item.ts)
        if written is not None and written < agent.time:
            skewed.append(
                f"{item.where} {kind} by {item.session} at {item.ts} "
                f"is older than commit {agent.sha[:SHORT]}"
            )
        verdict = item.verdict
        if kind == "review":
            observations.append(
                Observation(
                    AUDIT_DISAGREEMENT,
                    agent.task_class,
                    when,
                    1.0 if verdict == "disagree" else 0.0,
                    agent.sha,
                )
            )
        else:
            observations.append(
                Observation(
                    CI_FAILURE, agent.task_class, when, 1.0 if verdict == "fail" else 0.0, agent.sha
                )
            )
    unseen = list(defects.unseen)
    if history.shallow:
        unseen.append(_shallow_unseen(history))
    return CommitEvidence(
        at=history.at,
        observations=tuple(observations),
        unseen=tuple(unseen),
        agent_commits=agents,
        escaped=defects.escaped,
        shallow=history.shallow,
        skewed=tuple(skewed),
        reviewed=frozenset(reviewed),
    )


def _about(history: History, item: Verdict) -> list[str]:
    """The commits of ``history`` a review or CI record is about: the one its ``commit``
    names, then those whose notes hold it."""
    about: list[str] = []
    named = item.commit
    if named:
        found = history.resolve(named)
        if len(found) == 1:
            about.append(found[0])
    about.extend(place for place in item.places if place in history.by_sha and place not in about)
    return about


def _shallow_unseen(history: History) -> Unseen:
    return Unseen(
        SHALLOW,
        len(history.shallow),
        tuple(
            f"history stops at {sha[:SHORT]}: its parents and everything older (commits, "
            "their reverts, fixes and records) are not in this clone; fetch with "
            "--unshallow to see them"
            for sha in history.shallow
        ),
    )
