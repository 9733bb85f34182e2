"""The facts about a push that only git (or the process table) can tell; the I/O edge of
``protect``.

- Ancestry: ``git cat-file -e`` says whether the remote's commit is in this clone, and
  ``git merge-base --is-ancestor`` whether it is an ancestor of the pushed one. The git CLI
  rather than pygit2: only ``audit/notes.py`` imports pygit2 (docs/design.md#2-layers), and two
  short git processes per protected update cost less than importing it.
- Mirror and prune pushes: git does not tell a pre-push hook that the user typed
  ``--mirror`` or ``--prune``. The stdin lines of a mirror push can look like an ordinary
  fast-forward, and the deletions both make (of remote refs this clone lacks) are not
  listed at all: git lists only refs with a local side. Two ways to know:
  ``remote.<name>.mirror`` (which makes every push to that remote a mirror push), and, on
  Linux, the command line of the ``git push`` process this hook descends from
  (``/proc/<pid>/cmdline``). The second is a belt-and-braces extra: an alias or another
  platform hides it, and the per-ref checks still hold there. When either says so, the
  remote's refs are listed (``git ls-remote``) to find the deletions git did not list.
- The remote's current commit, for pre-commit's pre-push stage, which does not pass it on:
  ``git ls-remote``.
- The audit trail's history: the lines the pushed notes commits take away from the notes
  their parents held (``audit.notes_history``), so a rewritten note that is a
  fast-forward of the notes ref is refused as surely as a forced one.

Every git call runs without the hook's ``GIT_*`` variables (``clean_env``) and without a
terminal: a hook must never stop to ask for a password.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from agentgov.adapters.git_hooks.protect import Ancestry, PushGuard, needs_ancestry
from agentgov.adapters.git_hooks.push_updates import RefUpdate
from agentgov.git_layout import clean_env

if TYPE_CHECKING:
    from agentgov.audit.notes_history import LostLine

PROC = Path("/proc")
MAX_ANCESTORS = 8
"""git -> shim -> agentgov, or git -> pre-commit's shim -> pre-commit -> agentgov: a few."""
_GIT_GLOBAL_WITH_VALUE = frozenset(
    {"-c", "-C", "--git-dir", "--work-tree", "--namespace", "--exec-path", "--config-env"}
)
LS_REMOTE_TIMEOUT = 60.0


class RemoteUnreadable(Exception):
    """``git ls-remote`` failed: what the remote holds is unknown."""


def quiet_env() -> dict[str, str]:
    """``clean_env`` that also keeps git from prompting for credentials."""
    env = clean_env()
    env["GIT_TERMINAL_PROMPT"] = "0"
    return env


def _git_status(root: Path, *args: str) -> int:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env=quiet_env(),
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return -1
    return done.returncode


def ancestry(root: Path, update: RefUpdate) -> Ancestry:
    """Whether ``update`` fast-forwards the remote ref, rewrites it, or cannot be told."""
    if update.deletion or update.creation:
        return Ancestry.NOT_CHECKED
    if _git_status(root, "cat-file", "-e", f"{update.remote_oid}^{{commit}}") != 0:
        return Ancestry.REMOTE_UNKNOWN
    status = _git_status(root, "merge-base", "--is-ancestor", update.remote_oid, update.local_oid)
    if status == 0:
        return Ancestry.FAST_FORWARD
    if status == 1:
        return Ancestry.REWRITE
    return Ancestry.REMOTE_UNKNOWN  # git could not tell: treated like a rewrite (fail closed)


def ancestries(
    root: Path, updates: tuple[RefUpdate, ...], guard: PushGuard
) -> dict[RefUpdate, Ancestry]:
    """Ancestry for the updates whose judgement needs it (protected branches, the trail)."""
    return {update: ancestry(root, update) for update in updates if needs_ancestry(update, guard)}


# --- mirror and prune pushes -----------------------------------------------------------


@dataclass(frozen=True)
class PushFlags:
    """How this push was recognised as a mirror or a pruning push (None: it was not)."""

    mirror: str | None = None
    prune: str | None = None


def flags_in_argv(argv: tuple[str, ...]) -> PushFlags:
    """The flags of a ``git [global options] push ...`` command line.

    git accepts any unambiguous prefix of a long option: ``--mi`` can only be ``--mirror``
    and ``--pru`` only ``--prune`` among push's options.
    """
    if not argv or Path(argv[0]).name not in ("git", "git.exe"):
        return PushFlags()
    index = 1
    while index < len(argv) and argv[index].startswith("-"):
        index += 2 if argv[index] in _GIT_GLOBAL_WITH_VALUE else 1
    if index >= len(argv) or argv[index] != "push":
        return PushFlags()
    mirror = prune = None
    for word in argv[index + 1 :]:
        if word == "--":
            break
        if len(word) >= 4 and word.startswith("--mi") and "--mirror".startswith(word):
            mirror = "git push --mirror"
        if len(word) >= 5 and word.startswith("--pru") and "--prune".startswith(word):
            prune = "git push --prune"
    return PushFlags(mirror, prune)


def _cmdline(pid: int, proc: Path) -> tuple[str, ...]:
    try:
        raw = (proc / str(pid) / "cmdline").read_bytes()
    except OSError:
        return ()
    return tuple(part.decode("utf-8", "replace") for part in raw.split(b"\0") if part)


def _parent(pid: int, proc: Path) -> int | None:
    try:
        status = (proc / str(pid) / "status").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("PPid:"):
            value = line.split(":", 1)[1].strip()
            return int(value) if value.isdigit() and int(value) > 1 else None
    return None


def ancestor_argvs(pid: int | None = None, proc: Path = PROC) -> tuple[tuple[str, ...], ...]:
    """The command lines of this process's ancestors, nearest first (empty off Linux)."""
    found: list[tuple[str, ...]] = []
    current: int | None = os.getppid() if pid is None else pid
    for _ in range(MAX_ANCESTORS):
        if current is None:
            break
        found.append(_cmdline(current, proc))
        current = _parent(current, proc)
    return tuple(found)


def push_flags(root: Path, remote: str, argvs: tuple[tuple[str, ...], ...]) -> PushFlags:
    """Whether this push mirrors or prunes, from the remote's config and the nearest
    ``git`` ancestor's command line."""
    flags = PushFlags()
    for argv in argvs:
        if argv and Path(argv[0]).name in ("git", "git.exe"):
            flags = flags_in_argv(argv)
            break
    if remote and flags.mirror is None and _config_true(root, f"remote.{remote}.mirror"):
        flags = PushFlags(f"remote.{remote}.mirror is true", flags.prune)
    return flags


def _config_true(root: Path, key: str) -> bool:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "config", "--bool", "--get", key],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env=quiet_env(),
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0 and done.stdout.strip() == b"true"


def implied_deletions(
    remote_refs: Mapping[str, str],
    local_refs: frozenset[str],
    flags: PushFlags,
    listed: frozenset[str],
) -> tuple[RefUpdate, ...]:
    """The deletions git makes without listing them to the hook (pure).

    ``--mirror`` deletes every remote branch and tag this clone lacks; ``--prune``, every
    remote branch this clone lacks (an approximation: a refspec that renames branches on
    the way prunes under its own names).
    """
    found: list[RefUpdate] = []
    for ref, oid in sorted(remote_refs.items()):
        if ref in listed or ref in local_refs:
            continue
        if flags.mirror and ref.startswith(("refs/heads/", "refs/tags/")):
            why = f"{flags.mirror}: it deletes remote refs this clone does not have"
        elif flags.prune and ref.startswith("refs/heads/"):
            why = f"{flags.prune}: it deletes remote branches this clone does not have"
        else:
            continue
        found.append(RefUpdate("(delete)", "0" * len(oid), ref, oid, implied=why))
    return tuple(found)


def remote_refs(root: Path, remote: str) -> dict[str, str]:
    """Every branch and tag on ``remote`` (``git ls-remote``); RemoteUnreadable on failure."""
    done = _ls_remote(root, "--refs", "--", remote)
    refs: dict[str, str] = {}
    for line in done.splitlines():
        oid, _, name = line.partition("\t")
        if name:
            refs[name] = oid
    return refs


def local_refs(root: Path) -> frozenset[str]:
    """The branches and tags this clone has."""
    try:
        done = subprocess.run(
            [
                "git",
                "-C",
                str(root),
                "for-each-ref",
                "--format=%(refname)",
                "refs/heads",
                "refs/tags",
            ],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env=quiet_env(),
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(done.stdout.decode("utf-8", "replace").split())


# --- pre-commit's pre-push stage -------------------------------------------------------


def _ls_remote(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "ls-remote", *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env=quiet_env(),
            check=False,
            timeout=LS_REMOTE_TIMEOUT,
        )
    except (OSError, subprocess.SubprocessError) as err:
        raise RemoteUnreadable(str(err)) from None
    if done.returncode != 0:
        raise RemoteUnreadable(done.stderr.decode("utf-8", "replace").strip())
    return done.stdout.decode("utf-8", "replace")


def remote_oid(root: Path, remote: str, ref: str, zero: str) -> str:
    """The object id ``ref`` has on ``remote`` now (``zero`` when the remote lacks it)."""
    for line in _ls_remote(root, "--", remote, ref).splitlines():
        oid, _, name = line.partition("\t")
        if name == ref:
            return oid
    return zero


def resolve(root: Path, revision: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The object id ``revision`` names in this clone, or None."""
    if not revision or revision.startswith("-"):
        return None
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--verify", "--quiet", revision],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env=dict(environ) if environ is not None else quiet_env(),
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    text = done.stdout.decode().strip()
    return text if done.returncode == 0 and text else None


# --- the audit trail's own history -----------------------------------------------------


def trail_lost_lines(root: Path, update: RefUpdate) -> tuple[LostLine, ...]:
    """Lines that the notes commits this push adds take away from the trail.

    Only the commits the remote does not have are compared with their parents (for a
    new trail on the remote, all of them), so the cost is that of what is pushed.
    """
    if update.deletion:
        return ()
    from agentgov.audit.notes_history import read_history

    since = None if update.creation else update.remote_oid
    return read_history(root, update.local_oid, since).lost
