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

from agentgov.audit.git_process import TIMEOUT, git_env, output_bytes, resolve_commit
from agentgov.errors import GitError, PolicyError, UsageError
from agentgov.gate.findings import demotion_cause, level_words
from agentgov.gate.model import Demotion
from agentgov.policy.in_force import POLICY_PATH
from agentgov.policy.level_edit import set_levels
from agentgov.policy.load import load_bytes

ZERO = "0" * 40
TRAILER = "Agentgov-Rollback"


@dataclass(frozen=True)
class RollbackBranch:
    branch: str
    commit: str
    pushed: bool = False


def rollback_message(demotions: Sequence[Demotion]) -> str:
    """The commit message: the demotions in the subject, each one's evidence in the body,
    and a trailer per class."""
    subject = ", ".join(
        f"{d.task_class} {d.from_level.value} → {d.to_level.value}" for d in demotions
    )
    body = [
        f"- {d.task_class}: {level_words(d.from_level)} → {level_words(d.to_level)}: "
        f"{demotion_cause(d)}"
        for d in demotions
    ]
    trailers = [
        f"{TRAILER}: {d.task_class} {d.from_level.value}->{d.to_level.value}" for d in demotions
    ]
    return "\n".join([f"agentgov rollback: {subject}", "", *body, "", *trailers]) + "\n"


def head_policy(root: Path) -> bytes:
    """HEAD's committed policy; refused when there is none or the working copy differs."""
    try:
        committed = output_bytes(root, "show", f"HEAD:{POLICY_PATH}")
    except GitError:
        raise UsageError(f"HEAD has no committed {POLICY_PATH}: nothing to roll back") from None
    try:
        working = (root / POLICY_PATH).read_bytes()
    except OSError:
        working = None
    if working != committed:
        raise UsageError(
            f"{POLICY_PATH} in the working tree differs from HEAD's: commit or stash it first"
        )
    return committed


def branch_name(root: Path, wanted: str | None, now: datetime | None = None) -> str:
    if wanted:
        if resolve_commit(root, f"refs/heads/{wanted}") is not None:
            raise UsageError(f"--branch {wanted}: that branch exists; name another")
        return wanted
    stem = f"agentgov/rollback-{(now or datetime.now(timezone.utc)).strftime('%Y-%m-%d')}"
    name, number = stem, 1
    while resolve_commit(root, f"refs/heads/{name}") is not None:
        number += 1
        name = f"{stem}-{number}"
    return name


def commit_rollback(
    root: Path, demotions: Sequence[Demotion], branch: str | None, *, push: bool
) -> RollbackBranch:
    """Commit the demotions' levels on a new branch from HEAD (and push it)."""
    raw = head_policy(root)
    edited = set_levels(raw, {d.task_class: d.to_level for d in demotions}, POLICY_PATH)
    try:
        load_bytes(edited, POLICY_PATH)  # nothing that does not load is ever committed
    except PolicyError as err:
        raise UsageError("the demoted policy would not load: " + "; ".join(err.problems)) from None
    name = branch_name(root, branch)
    with tempfile.TemporaryDirectory(prefix="agentgov-rollback-") as scratch:
        env = {**git_env(), "GIT_INDEX_FILE": os.path.join(scratch, "index")}
        _git(root, env, "read-tree", "HEAD")
        blob = _git(root, env, "hash-object", "-w", "--stdin", data=edited)
        _git(root, env, "update-index", "--cacheinfo", f"100644,{blob},{POLICY_PATH}")
        tree = _git(root, env, "write-tree")
        message = rollback_message(demotions).encode("utf-8")
        commit = _git(root, env, "commit-tree", tree, "-p", "HEAD", data=message)
        _git(root, env, "update-ref", f"refs/heads/{name}", commit, ZERO)
    if push:
        _git(root, git_env(), "push", "origin", f"refs/heads/{name}:refs/heads/{name}")
    return RollbackBranch(name, commit, push)


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
        raise GitError(f"git {args[0]}: {err}") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"git {' '.join(args[:2])}: {detail or f'exit {done.returncode}'}")
    return done.stdout.decode().strip()
