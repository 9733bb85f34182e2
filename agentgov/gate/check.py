"""``agentgov check``: judge base → head from git objects and the trail (docs/ci.md).

Everything is read from the two commits and the notes: the policy at base and at head
(``committed_policy``), the evidence measured at base with base's policy (``sources``),
the commits of base..head. The working tree, which a pull request's job has checked out,
never decides. The checks, in order:

1. ``policy``: the policy at head validates (file:line:col);
2. ``autonomy``: every raised level is earned on base's evidence; loosenings are warned
   about, and are errors inside an incident's cooldown;
3. ``governance-files``: no agent commit of base..head changes what governs agents;
4. ``rollback``: no breached trigger or open incident goes unapplied at head (an error on
   the protected branch, and on a PR that changes the policy without applying it);
5. ``audit``: ``audit verify``'s problems fail.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from agentgov.audit.git_process import output_bytes, resolve_commit
from agentgov.audit.records import cyclic_gc_paused
from agentgov.errors import GitError, UsageError
from agentgov.evidence.git_history import History
from agentgov.evidence.sources import Gathered, Sources, measure, reachable, read_sources
from agentgov.evidence.standing import standing
from agentgov.evidence.verified_read import verified_trail
from agentgov.gate import findings as found
from agentgov.gate.committed_policy import CommittedPolicy, committed_policy, default_policy
from agentgov.gate.demotions import history_start, required_demotions
from agentgov.gate.governance_edits import governance_edits
from agentgov.gate.level_history import level_history
from agentgov.gate.model import (
    CheckReport,
    Demotion,
    Finding,
    Location,
    PolicyChange,
    Raise,
    Severity,
)
from agentgov.gate.policy_changes import policy_changes
from agentgov.gate.raises import find_raises
from agentgov.git_layout import RepoLayout, find_repo
from agentgov.policy.globs import match_branch
from agentgov.policy.in_force import POLICY_PATH, PolicyInForce
from agentgov.policy.load import load_template
from agentgov.policy.model import Policy
from agentgov.policy.source_text import Document

CHECKS = ("policy", "autonomy", "governance-files", "rollback", "audit")


@dataclass(frozen=True)
class Revisions:
    """What ``check`` compares: ``base`` and ``head`` commits, as given and resolved;
    ``protected`` when head is the protected branch (a push), not a pull request."""

    base: str
    head: str
    base_name: str
    head_name: str
    protected: bool
    note: str = ""


def run_check(
    start: Path, base: str | None, head: str | None, environ: Mapping[str, str]
) -> CheckReport:
    layout = find_repo(start)
    if layout is None:
        raise UsageError("not inside a git repository: check judges a repository's history")
    with cyclic_gc_paused():
        return _check(layout, base, head, environ)


def _check(
    layout: RepoLayout, base_rev: str | None, head_rev: str | None, environ: Mapping[str, str]
) -> CheckReport:
    root = layout.root
    head_name = head_rev or "HEAD"
    head = _commit(root, head_name, "--head")
    base_name = base_rev or _default_base(root, environ)
    base = _fork_point(root, _commit(root, base_name, "--base"), head)
    base_committed = committed_policy(layout, base)
    trusted, trusted_doc, notes = _trusted(base_committed)
    protected = _protected(head_rev, environ, trusted)
    head_committed = committed_policy(layout, head)
    findings: list[Finding] = [*notes]
    findings += found.policy_findings(
        head_committed.problems, head_committed.present, base_committed.present
    )
    # one read of the trail gives both audit verify's report and the evidence's facts
    verified, read = verified_trail(layout, trusted.audit.notes_ref)
    sources = read_sources(layout, trusted.audit.notes_ref, head, pending=False, read=read)
    at_base = measure(sources, _in_force(trusted, base), base)
    changes: tuple[PolicyChange, ...] = ()
    raises: tuple[Raise, ...] = ()
    demotions: tuple[Demotion, ...] = ()
    head_policy = head_committed.policy
    if head_policy is not None and head_committed.document is not None:
        paths = _tree_paths(root, base, head)
        changes = policy_changes(
            trusted, head_policy, trusted_doc, head_committed.document, sample_paths=paths
        )
        raises = find_raises(
            trusted,
            head_policy,
            paths,
            at_base.series,
            at_base.at_time,
            at_base.incidents,
            head_committed.document,
        )
        findings += found.raise_findings(raises)
        cooldown = trusted.incident_cooldown_days
        held = found.cooling(at_base.incidents, at_base.at_time, cooldown)
        findings += found.loosen_findings(changes, held, cooldown)
    findings += found.governance_findings(
        governance_edits(root, _range(sources.history, base), sources.links, trusted)
    )
    if head_policy is not None:
        demotions = _demotions(sources, trusted, head_policy, head)
        findings += found.demotion_findings(
            demotions,
            protected=protected,
            policy_changed=head_committed.raw != base_committed.raw,
            location=Location(POLICY_PATH),
        )
    findings += found.audit_findings(verified.problems, verified.found)
    return CheckReport(base, head, tuple(findings), changes, raises, demotions, CHECKS, protected)


def _commit(root: Path, name: str, option: str) -> str:
    sha = resolve_commit(root, name)
    if sha is None:
        raise UsageError(
            f"{option} {name}: not a commit here (fetch it first: a CI checkout needs "
            "fetch-depth: 0)"
        )
    return sha


def _default_base(root: Path, environ: Mapping[str, str]) -> str:
    """The base a CI run means: the PR's target branch, the commit before a push, else
    origin's main (or master)."""
    target = environ.get("GITHUB_BASE_REF") or environ.get("CI_MERGE_REQUEST_TARGET_BRANCH_NAME")
    if target:
        return f"origin/{target}"
    if environ.get("GITHUB_EVENT_NAME") == "push":
        before = _event_before(environ.get("GITHUB_EVENT_PATH", ""))
        if before:
            return before
    for name in ("origin/main", "origin/master", "main", "master"):
        if resolve_commit(root, name) is not None:
            return name
    raise UsageError("give --base REF: the branch the change goes into (e.g. origin/main)")


def _event_before(path: str) -> str:
    if not path:
        return ""
    try:
        event = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    before = event.get("before") if isinstance(event, dict) else None
    if isinstance(before, str) and before.strip("0"):
        return before
    return ""


def _fork_point(root: Path, base: str, head: str) -> str:
    """``base``, or where head left it when head does not descend from it (a PR branch
    checked out at its tip while the target moved on)."""
    try:
        return output_bytes(root, "merge-base", base, head).decode().strip() or base
    except GitError:  # unrelated histories: judge against base as given
        return base


def _trusted(committed: CommittedPolicy) -> tuple[Policy, Document, list[Finding]]:
    """The policy base stands for: its committed one; the default template when it has
    none (what is in force then); the strict template when it has one that does not load
    (nothing better is known, and a loosening then has to show its evidence)."""
    if committed.policy is not None and committed.document is not None:
        return committed.policy, committed.document, []
    policy, document = default_policy()
    if not committed.present:
        return policy, document, []
    strict = load_template("strict")
    note = Finding(
        "check.policy-invalid",
        Severity.NOTE,
        f"the policy at base ({committed.commit[:12]}) does not load; judged against the "
        "strict template",
        "fix the policy on the target branch first",
        Location(POLICY_PATH),
    )
    return strict, document, [note]


def _in_force(policy: Policy, commit: str) -> PolicyInForce:
    return PolicyInForce(policy, "branch", f"{commit[:12]}:{POLICY_PATH}", commit=commit)


def _protected(head_rev: str | None, environ: Mapping[str, str], policy: Policy) -> bool:
    branches = policy.protected_branches
    if head_rev:
        name = head_rev.removeprefix("refs/heads/").removeprefix("refs/remotes/")
        name = name.removeprefix("origin/")
        if match_branch(name, branches):
            return True
    ref = environ.get("GITHUB_REF", "")
    if environ.get("GITHUB_EVENT_NAME") == "push" and ref.startswith("refs/heads/"):
        return match_branch(ref, branches)
    return False


def _tree_paths(root: Path, *commits: str) -> list[str]:
    paths: set[str] = set()
    for commit in dict.fromkeys(commits):
        raw = output_bytes(root, "ls-tree", "-r", "-z", "--name-only", commit)
        paths.update(item.decode("utf-8", errors="replace") for item in raw.split(b"\0") if item)
    return sorted(paths)


def _range(history: History, base: str) -> History:
    """The commits of ``history`` that ``base`` does not reach: base..head."""
    behind = {commit.sha for commit in reachable(history, base).commits}
    return History(
        history.at, tuple(c for c in history.commits if c.sha not in behind), history.shallow
    )


def _demotions(
    sources: Sources, trusted: Policy, head_policy: Policy, head: str
) -> tuple[Demotion, ...]:
    """The demotions due at head: head's levels, against base's triggers and head's (a PR
    cannot delete a trigger to escape it)."""
    extra = tuple(t for t in head_policy.rollback if t not in trusted.rollback)
    judged = replace(head_policy, rollback=(*trusted.rollback, *extra))
    at_head: Gathered = measure(sources, _in_force(judged, head), head)
    standings = standing(judged, at_head.series, at_head.at_time, at_head.incidents)
    since = history_start(standings, at_head.at_time)
    levels = level_history(sources.layout.root, head, since)
    return required_demotions(judged, standings, levels)
