"""Deliver demotions as a branch: the edited policy committed with git plumbing.

``agentgov rollback --apply`` commits on a new branch ``agentgov/rollback-<date>`` from
HEAD through a temporary index (``read-tree``, ``update-index``, ``write-tree``,
``commit-tree``), so the working tree, the index and the current branch are untouched, and
creates the branch with ``update-ref`` against the zero id, so nothing existing is ever
overwritten. ``--push`` pushes it, never forced (docs/ci.md#agentgov-rollback).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from agentgov.audit.git_process import TIMEOUT, git_env, read_objects, resolve_commit, run
from agentgov.errors import GitError, UsageError
from agentgov.gate.demotions import binding
from agentgov.gate.findings import level_words
from agentgov.gate.model import Demotion
from agentgov.policy.in_force import POLICY_PATH
from agentgov.policy.level_edit import set_levels
from agentgov.reporters.evidence_report import action_text, criterion_text, iso, measured_text

ZERO = "0" * 40
TRAILER = "Agentgov-Rollback"
BRANCH_STEM = "agentgov/rollback-"


@dataclass(frozen=True)
class HeadPolicy:
    """HEAD's commit and the policy file's bytes committed there."""

    commit: str
    raw: bytes


@dataclass(frozen=True)
class RollbackBranch:
    branch: str
    commit: str
    parent: str
    pushed: bool = False


def head_policy(root: Path) -> HeadPolicy:
    """HEAD and its committed policy; refused (exit 2) when there is none."""
    head = resolve_commit(root, "HEAD")
    if head is None:
        raise UsageError("HEAD is no commit yet: commit the policy first")
    raw = read_objects(root, [f"{head}:{POLICY_PATH}"]).get(f"{head}:{POLICY_PATH}")
    if raw is None:
        raise UsageError(
            f"HEAD ({head[:12]}) has no committed {POLICY_PATH}: rollback demotes the "
            "committed policy; commit one first (`agentgov init`)"
        )
    return HeadPolicy(head, raw)


def refuse_dirty(root: Path, committed: HeadPolicy) -> None:
    """Refused (exit 2) when the working copy of the policy is not HEAD's, byte for byte:
    the demotion is made on HEAD's and would hide or drop the edit."""
    try:
        working: bytes | None = (root / POLICY_PATH).read_bytes()
    except OSError:
        working = None
    if working != committed.raw:
        state = "is missing" if working is None else "differs from HEAD's"
        raise UsageError(
            f"{POLICY_PATH} in the working tree {state}: commit or stash it first, then "
            "run `agentgov rollback --apply` again"
        )


def branch_name(root: Path, wanted: str | None, now: datetime | None = None) -> str:
    """``wanted`` (refused when it is no valid branch name or exists), else
    ``agentgov/rollback-<UTC date>``, then ``-2``, ``-3``... for the first one free."""
    if wanted is not None:
        if run(root, "check-ref-format", f"refs/heads/{wanted}").returncode != 0:
            raise UsageError(f"--branch {wanted!r}: not a valid branch name")
        if resolve_commit(root, f"refs/heads/{wanted}") is not None:
            raise UsageError(f"--branch {wanted}: that branch exists; name another")
        return wanted
    stem = BRANCH_STEM + (now or datetime.now(timezone.utc)).strftime("%Y-%m-%d")
    name, number = stem, 1
    while resolve_commit(root, f"refs/heads/{name}") is not None:
        number += 1
        name = f"{stem}-{number}"
    return name


def due_levels(demotions: Sequence[Demotion]) -> dict[str, Demotion]:
    """Per class with a demotion not applied, the binding one (the lowest target)."""
    return {name: demotion for name, demotion in binding(demotions).items() if not demotion.applied}


def trigger_words(demotion: Demotion) -> str:
    """``defect_escape_rate > 0.1 over 14d (min 10 samples) → demote by 1``, or
    ``incident production → reset to 2 propose``."""
    action = action_text(demotion.trigger.action)
    if demotion.judgement is None:
        return f"incident {demotion.trigger.incident} → {action}"
    return f"{criterion_text(demotion.judgement)} → {action}"


def evidence_lines(demotion: Demotion) -> list[str]:
    """What fired the trigger: the measurement (value, threshold, samples, window,
    verdict), or each open incident (id, severity, when, note)."""
    judgement = demotion.judgement
    if judgement is None:
        return [
            f"    incident {i.id}: severity {i.severity or 'none'}, opened {iso(i.time)}, "
            f"open; note: {i.note or '(none)'}"
            for i in demotion.incidents
        ]
    c = judgement.criterion
    window = judgement.measurement.window
    restarted = f" (restarted by incident {window.restarted_by})" if window.restarted_by else ""
    return [
        f"    {c.metric}: {measured_text(judgement)}; threshold {c.comparison.value} "
        f"{c.threshold:g}",
        f"    samples: {judgement.measurement.denominator} (min {c.min_samples})",
        f"    window: {iso(window.start)} to {iso(window.end)}{restarted}",
        f"    verdict: {judgement.verdict.value} (the trigger's condition holds: breached)",
    ]


def rollback_message(demotions: Sequence[Demotion]) -> str:
    """The commit message: each class's change in the subject; in the body every trigger
    that fired for it with its evidence (the binding one marked); per class, a trailer
    ``Agentgov-Rollback: <class> <from>-><to>`` with the level change the commit writes."""
    due = due_levels(demotions)
    if not due:
        raise UsageError("no demotion is due: nothing to commit")
    subject = ", ".join(
        f"{d.task_class} {d.from_level.value} → {d.to_level.value}" for d in due.values()
    )
    body: list[str] = []
    trailers: list[str] = []
    for name, chosen in due.items():
        fired = [d for d in demotions if d.task_class == name]
        body.append(f"{name}: {level_words(chosen.from_level)} → {level_words(chosen.to_level)}")
        for demotion in fired:
            binds = " (binding: the lowest target)" if demotion is chosen and len(fired) > 1 else ""
            body.append(
                f"  - {trigger_words(demotion)}: target {level_words(demotion.to_level)}{binds}"
            )
            body.extend(evidence_lines(demotion))
        body.append("")
        trailers.append(f"{TRAILER}: {name} {chosen.from_level.value}->{chosen.to_level.value}")
    return "\n".join([f"agentgov rollback: {subject}", "", *body, *trailers]) + "\n"


def commit_rollback(
    root: Path,
    committed: HeadPolicy,
    demotions: Sequence[Demotion],
    name: str,
    *,
    push: bool,
) -> RollbackBranch:
    """Commit the binding levels of the demotions due on the new branch ``name`` (from
    ``branch_name``) whose parent is ``committed.commit``, and push it to origin. The
    branch is created only if it does not exist (``update-ref`` against the zero id)."""
    due = due_levels(demotions)
    edited = set_levels(committed.raw, {n: d.to_level for n, d in due.items()}, POLICY_PATH)
    message = rollback_message(demotions).encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="agentgov-rollback-") as scratch:
        env = {**git_env(), "GIT_INDEX_FILE": os.path.join(scratch, "index")}
        _git(root, env, "read-tree", committed.commit)
        blob = _git(root, env, "hash-object", "-w", "--stdin", data=edited)
        _git(root, env, "update-index", "--cacheinfo", f"100644,{blob},{POLICY_PATH}")
        tree = _git(root, env, "write-tree")
        commit = _git(root, env, "commit-tree", tree, "-p", committed.commit, data=message)
        _git(root, env, "update-ref", f"refs/heads/{name}", commit, ZERO)
    if push:
        try:
            _git(root, git_env(), "push", "origin", f"refs/heads/{name}:refs/heads/{name}")
        except GitError as err:
            raise GitError(
                f"branch {name} ({commit[:12]}) is made here, but pushing it failed: {err}; "
                f"push it yourself: git push origin refs/heads/{name}:refs/heads/{name}"
            ) from None
    return RollbackBranch(name, commit, committed.commit, push)


def _git(root: Path, env: dict[str, str], *args: str, data: bytes | None = None) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            input=data,
            capture_output=True,
            env=env,
            check=False,
            timeout=TIMEOUT,
        )
    except (OSError, subprocess.SubprocessError) as err:
        raise GitError(f"cannot run git {args[0]}: {err}") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"git {' '.join(args[:2])}: {detail or f'exit {done.returncode}'}")
    return done.stdout.decode().strip()
