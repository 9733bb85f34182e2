"""The pre-commit hook: check what a commit is about to record, from the index.

The checks read the index, not the working tree: that is what the commit will contain, and
a partial commit (``git commit -a``, ``git commit <paths>``) builds it in a temporary
index that git names in ``GIT_INDEX_FILE``. So that one variable is kept when every other
``GIT_*`` variable is scrubbed.

Each check is a function from the staged commit to findings, listed in ``COMMIT_CHECKS``:

- ``staged_policy``: a staged ``.agentgov/policy.yaml`` must validate (the same errors as
  ``agentgov validate``, with file:line:col), so a broken policy never reaches review.
- ``guard_edits`` (``guard.tamper``): inside an agent session, a commit may not change the
  guard's files (``.agentgov/``, ``.claude/settings*.json``, ``.pre-commit-config.yaml``).
  An agent never edits its own policy; a person proposes that change in a pull request.

The scan of committed files (unpinned dependencies, dangerous ``run:`` steps in workflows)
joins the tuple as one more function of the same shape.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from agentgov.adapters.git_hooks.agent_session import agent_marker
from agentgov.adapters.git_hooks.chain import run_chained
from agentgov.adapters.git_hooks.hook_io import HookIO
from agentgov.adapters.git_hooks.hook_policy import DEFAULT_NOTES_REF
from agentgov.errors import ExitCode, GitError, PolicyError
from agentgov.evaluators.rules.guard.guarded_paths import guarded_entries, guarded_target
from agentgov.git_layout import clean_env, read_blob_prefix

POLICY_PATH = ".agentgov/policy.yaml"
TAMPER = "guard.tamper"
POLICY_CHECK = "policy.valid"


def _nothing_staged(path: str) -> bytes | None:
    return None


@dataclass(frozen=True)
class StagedChange:
    """One path the commit changes; ``status`` is git's letter (A, M, D, T)."""

    status: str
    path: str


@dataclass(frozen=True)
class StagedCommit:
    """What the commit will record, and who makes it.

    ``agent`` is the variable that marks an agent session (None: a person). ``named`` are
    paths a caller asked to check even if unchanged (pre-commit's file arguments).
    ``read_staged`` returns a path's staged bytes (None when not in the index): the one
    I/O a check may ask for.
    """

    root: str
    home: str
    changes: tuple[StagedChange, ...]
    agent: str | None = None
    named: tuple[str, ...] = ()
    read_staged: Callable[[str], bytes | None] = field(default=_nothing_staged, compare=False)


@dataclass(frozen=True)
class Finding:
    check: str
    path: str
    message: str
    remediation: str


CommitCheck = Callable[[StagedCommit], Iterator[Finding]]


def staged_policy(commit: StagedCommit) -> Iterator[Finding]:
    """A staged policy must be valid."""
    touched = any(c.path == POLICY_PATH and c.status != "D" for c in commit.changes)
    if not touched and POLICY_PATH not in commit.named:
        return
    raw = commit.read_staged(POLICY_PATH)
    if raw is None:
        return
    from agentgov.policy.load import validate_bytes

    try:
        validate_bytes(raw, POLICY_PATH)
    except PolicyError as err:
        for problem in err.problems:
            yield Finding(
                POLICY_CHECK,
                POLICY_PATH,
                problem,
                "fix the policy and stage it again (`agentgov validate` checks the working copy)",
            )


def guard_edits(commit: StagedCommit) -> Iterator[Finding]:
    """An agent session's commit may not change the guard's files (``guard.tamper``)."""
    if commit.agent is None:
        return
    entries = guarded_entries(commit.root, commit.home, DEFAULT_NOTES_REF)
    for change in commit.changes:
        absolute = f"{commit.root.rstrip('/')}/{change.path}"
        entry = guarded_target(absolute, entries)
        if entry is None:
            continue
        yield Finding(
            TAMPER,
            change.path,
            f"an agent session ({commit.agent} is set) commits a change to {change.path}, "
            f"part of {entry.label}: an agent never edits its own guard or policy",
            f"unstage it (git restore --staged -- {change.path}) and commit the rest; tell "
            "the user, who can propose the change in a reviewed pull request",
        )


COMMIT_CHECKS: tuple[CommitCheck, ...] = (
    staged_policy,
    guard_edits,
    # The scan of committed files (unpinned dependencies, dangerous run: steps) goes here.
)


def check_commit(
    commit: StagedCommit, checks: Sequence[CommitCheck] = COMMIT_CHECKS
) -> tuple[Finding, ...]:
    return tuple(finding for check in checks for finding in check(commit))


def findings_text(findings: Sequence[Finding]) -> str:
    lines = ["agentgov: commit refused"]
    for item in findings:
        lines.append(f"  [{item.check}] {item.message}")
        lines.append(f"    instead: {item.remediation}")
    return "\n".join(lines) + "\n"


# --- the I/O edge ----------------------------------------------------------------------


def index_env(environ: Mapping[str, str]) -> dict[str, str]:
    """``clean_env`` plus the index this commit is built from."""
    env = clean_env()
    index = environ.get("GIT_INDEX_FILE")
    if index:
        env["GIT_INDEX_FILE"] = os.path.abspath(index)
    return env


def _git(root: Path, env: Mapping[str, str], *args: str) -> bytes:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env=dict(env),
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError) as err:
        raise GitError(f"cannot run git {args[0]}: {err}") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"git {' '.join(args[:2])}: {detail}")
    return done.stdout


def staged_changes(root: Path, env: Mapping[str, str]) -> tuple[StagedChange, ...]:
    """Every path the index changes against HEAD; a rename counts as both its paths."""
    raw = _git(root, env, "diff", "--cached", "--name-status", "--no-renames", "-z")
    fields = raw.decode("utf-8", "surrogateescape").split("\0")
    changes: list[StagedChange] = []
    for index in range(0, len(fields) - 1, 2):
        status, path = fields[index], fields[index + 1]
        if status:
            changes.append(StagedChange(status[0], path))
    return tuple(changes)


def _read_blob(root: Path, env: Mapping[str, str], spec: str, limit: int) -> bytes | None:
    """The first ``limit`` bytes of a staged blob (see ``git_layout.read_blob_prefix``)."""
    try:
        return read_blob_prefix(root, spec, limit, env=env)
    except OSError as err:
        raise GitError(f"cannot run git cat-file: {err}") from None


def staged_reader(root: Path, env: Mapping[str, str]) -> Callable[[str], bytes | None]:
    """Read a staged file, at most ``cache.READ_LIMIT`` bytes of it (enough to tell a
    policy that is too large, and all the checks read)."""
    from agentgov.policy.cache import READ_LIMIT

    def read(path: str) -> bytes | None:
        return _read_blob(root, env, f":{path}", READ_LIMIT)

    return read


def staged_commit(root: Path, io: HookIO, named: Sequence[str] = ()) -> StagedCommit:
    env = index_env(io.environ)
    home = io.environ.get("HOME") or str(Path.home())
    return StagedCommit(
        root=str(root),
        home=home,
        changes=staged_changes(root, env),
        agent=agent_marker(io.environ),
        named=tuple(named),
        read_staged=staged_reader(root, env),
    )


def _run_checks(root: Path, io: HookIO, named: Sequence[str] = ()) -> int:
    """Run every check; print the findings. Exit 1 on any."""
    findings = check_commit(staged_commit(root, io, named))
    if findings:
        io.err.write(findings_text(findings))
        return int(ExitCode.VIOLATION)
    return int(ExitCode.OK)


def pre_commit(root: Path, io: HookIO, named: Sequence[str] = ()) -> int:
    """``agentgov-validate`` in the pre-commit framework: the checks, and a refusal while
    pre-commit's hooks run here without agentgov's pre-push wrapper (``framework_wrapper``:
    pre-commit alone never shows agentgov a branch deletion)."""
    from agentgov.adapters.git_hooks.framework_wrapper import missing_wrapper

    status = _run_checks(root, io, named)
    problem = missing_wrapper(root, "commit")
    if problem is not None:
        io.err.write(f"agentgov: {problem}\n")
        return int(ExitCode.VIOLATION)
    return status


def git_pre_commit(root: Path, hook_dir: Path, args: Sequence[str], io: HookIO) -> int:
    """git's pre-commit hook: agentgov's checks, then the hook that was there before."""
    status = _run_checks(root, io)
    if status != 0:
        return status
    return run_chained(hook_dir, "pre-commit", args, None, io.environ).returncode
