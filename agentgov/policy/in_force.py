"""The policy in force: the one committed on the protected default branch.

The agent can edit the working copy of ``.agentgov/policy.yaml``; what it edits is a
*proposal* until a reviewed pull request merges it. So the guard reads the policy from git
objects on the default branch, preferring the remote-tracking ref (``origin/main``: what
was reviewed and merged) over the local branch (which an agent could commit to). Where the
branch has no policy yet, the working copy is used, and the result says so.

Once a committed policy has been seen, the clone remembers it (``in_force_memory``) and
never falls back: the branch may only move forward. A ref that now points at a commit that
does not descend from the remembered one, at a commit without a policy, or nowhere, is
*refused*: the remembered policy stays in force and ``refusal`` says why, until a person
runs ``agentgov policy accept`` (or ``forget``). Moving refs cannot swap the policy.

Every git read here ignores replace refs, grafts and the commit-graph, which could make an
unrelated commit look like a descendant, or another blob look like the policy.

A per-commit pointer in ``.git/agentgov/policy/`` and the memory make the common case (the
branch has not moved) cost a few small file reads and no git process.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from agentgov.errors import UsageError
from agentgov.git_layout import (
    RepoLayout,
    clean_env,
    find_repo,
    read_blob_prefix,
    read_ref,
    symbolic_target,
)
from agentgov.policy import cache
from agentgov.policy.in_force_memory import (
    Memory,
    Unreadable,
    forget_memory,
    read_memory,
    remembered_bytes,
    write_memory,
)
from agentgov.policy.load import load_bytes, load_template
from agentgov.policy.model import Policy

POLICY_PATH = ".agentgov/policy.yaml"
DEFAULT_BRANCHES = ("main", "master")
REMOTE = "origin"
_ABSENT = "absent"
_FALLBACK_TEMPLATE = "strict"
ACCEPT_HINT = (
    "if a person moved it on purpose, they run `agentgov policy accept` "
    "(or `agentgov policy forget`)"
)


@dataclass(frozen=True)
class PolicyInForce:
    """Where the policy in force came from.

    - ``origin`` is ``branch`` (committed on ``ref`` at ``commit``), ``working-copy`` (the
      branch has no policy yet and none was ever remembered) or ``template`` (no policy
      anywhere: the default applies; or the strict one while a refusal has nothing better).
    - ``remembered`` is the commit this clone remembers after this call (None: nothing).
    - ``tip`` is what the branch ref points at now, when that differs from ``commit``.
    - ``refusal`` is non-empty when the branch's current state was refused; the policy is
      then the remembered one, and guards deny what could move it further (docs/policy.md).
    """

    policy: Policy
    origin: str
    label: str
    ref: str | None = None
    commit: str | None = None
    working_copy_differs: bool = False
    note: str = ""
    remembered: str | None = None
    tip: str | None = None
    refusal: str = ""


def policy_in_force(start: Path) -> PolicyInForce:
    """The policy in force for the repository containing ``start``."""
    return policy_in_force_of(find_repo(start))


def policy_in_force_of(layout: RepoLayout | None) -> PolicyInForce:
    """The policy in force in ``layout``'s repository (None: outside any), for a caller
    that has already found it (the hook's ``locate``)."""
    if layout is None:
        return PolicyInForce(
            load_template("default"),
            "template",
            "<template default>",
            note="not inside a git repository: the default template applies",
        )
    cache_dir = layout.state_dir / "policy"
    working = _read_working_copy(layout.root)
    memory = read_memory(cache_dir)
    if isinstance(memory, Memory):
        return _from_memory(layout, cache_dir, memory, working)
    found = _default_branch_tip(layout)
    committed = _committed_policy(layout, found[1], cache_dir) if found else None
    if isinstance(memory, Unreadable):
        return _unreadable_memory(layout, cache_dir, memory, found, committed, working)
    if found is not None and committed is not None:
        ref, commit = found
        result = _branch_result(cache_dir, ref, commit, committed, working)  # valid first
        write_memory(cache_dir, Memory(ref, commit, cache.content_key(committed)), committed)
        return result
    if working is not None:
        where = found[0] if found else "the default branch"
        return PolicyInForce(
            load_bytes(working, POLICY_PATH, cache_dir),
            "working-copy",
            POLICY_PATH,
            note=f"{where} has no committed policy yet: the working copy is in force",
        )
    return PolicyInForce(
        load_template("default", cache_dir),
        "template",
        "<template default>",
        note=f"no {POLICY_PATH} in this repository: the default template applies "
        "(run `agentgov init`)",
    )


def _label(ref: str) -> str:
    return f"{ref.removeprefix('refs/remotes/').removeprefix('refs/heads/')}:{POLICY_PATH}"


def _branch_result(
    cache_dir: Path,
    ref: str,
    commit: str,
    raw: bytes,
    working: bytes | None,
    *,
    tip: str | None = None,
    refusal: str = "",
) -> PolicyInForce:
    label = _label(ref)
    differs = working is not None and working != raw
    notes = [refusal] if refusal else []
    if differs:
        notes.append("the working copy differs: it is a proposal until merged")
    return PolicyInForce(
        load_bytes(raw, label, cache_dir),
        "branch",
        label,
        ref=ref,
        commit=commit,
        working_copy_differs=differs,
        note="; ".join(notes),
        remembered=commit,
        tip=tip,
        refusal=refusal,
    )


def _from_memory(
    layout: RepoLayout, cache_dir: Path, memory: Memory, working: bytes | None
) -> PolicyInForce:
    ref = _followed_ref(layout, memory.ref)
    tip = _ref_commit(layout, ref)
    remembered = remembered_bytes(cache_dir, memory.policy)
    if tip == memory.commit and ref == memory.ref and remembered is not None:
        return _branch_result(cache_dir, ref, tip, remembered, working)  # the common case
    if remembered is None:
        remembered = _verified_blob(layout, memory)
        if remembered is not None:
            write_memory(cache_dir, memory, remembered)  # keep the bytes again
    refusal = ""
    if tip is None:
        refusal = f"{ref} is gone"
    elif tip != memory.commit:
        committed = _committed_policy(layout, tip, cache_dir)
        if committed is None:
            refusal = f"{ref} now points at {tip[:12]}, which has no {POLICY_PATH}"
        elif not _descends(layout, cache_dir, memory.commit, tip):
            refusal = (
                f"{ref} now points at {tip[:12]}, which does not descend from the "
                f"remembered commit {memory.commit[:12]}"
            )
        else:  # a forward move: a fetch brought a reviewed descendant
            # Loaded before it is remembered: an invalid policy is an error (PolicyError,
            # naming the branch), and the memory keeps the last valid one.
            result = _branch_result(cache_dir, ref, tip, committed, working)
            write_memory(cache_dir, Memory(ref, tip, cache.content_key(committed)), committed)
            return result
    elif ref != memory.ref and remembered is not None:
        write_memory(cache_dir, Memory(ref, tip, memory.policy), remembered)
    if remembered is None:
        refusal = refusal or "its content is gone"
        return PolicyInForce(
            load_template(_FALLBACK_TEMPLATE, cache_dir),
            "template",
            f"<template {_FALLBACK_TEMPLATE}>",
            ref=memory.ref,
            commit=memory.commit,
            note=f"the remembered policy (commit {memory.commit[:12]}) cannot be read and "
            f"{refusal}: the strict template applies; {ACCEPT_HINT}",
            remembered=memory.commit,
            tip=tip,
            refusal=refusal,
        )
    if not refusal:
        return _branch_result(cache_dir, ref, tip or memory.commit, remembered, working)
    return _branch_result(
        cache_dir,
        memory.ref,
        memory.commit,
        remembered,
        working,
        tip=tip,
        refusal=f"refused: {refusal}; the remembered policy stays in force; {ACCEPT_HINT}",
    )


def _unreadable_memory(
    layout: RepoLayout,
    cache_dir: Path,
    memory: Unreadable,
    found: tuple[str, str] | None,
    committed: bytes | None,
    working: bytes | None,
) -> PolicyInForce:
    """A memory that exists but cannot be read: the clone has seen a committed policy, so
    the working copy never applies; the branch's policy (or the strict template) does, and
    the state is refused until a person accepts it."""
    where = _memory_file(layout)
    refusal = (
        f"refused: the memory of the policy in force ({where}) is unusable: {memory.reason}; "
        f"{ACCEPT_HINT}"
    )
    if found is not None and committed is not None:
        ref, commit = found
        result = _branch_result(cache_dir, ref, commit, committed, working, refusal=refusal)
        return replace(result, remembered=None)
    return PolicyInForce(
        load_template(_FALLBACK_TEMPLATE, cache_dir),
        "template",
        f"<template {_FALLBACK_TEMPLATE}>",
        note=f"{refusal}; the strict template applies",
        refusal=refusal,
    )


def _memory_file(layout: RepoLayout) -> str:
    path = layout.state_dir / "policy" / "in-force"
    try:
        return str(path.relative_to(layout.root))
    except ValueError:
        return str(path)


def _followed_ref(layout: RepoLayout, ref: str) -> str:
    """The ref to read for a remembered one: the remote-tracking ref of the same branch when
    the memory holds a local branch and a remote now exists (the reviewed truth; a move onto
    it is accepted only when it descends from the remembered commit)."""
    if ref.startswith("refs/heads/"):
        remote = f"refs/remotes/{REMOTE}/{ref.removeprefix('refs/heads/')}"
        if _ref_commit(layout, remote):
            return remote
    return ref


def _read_working_copy(root: Path) -> bytes | None:
    try:
        with (root / POLICY_PATH).open("rb") as handle:
            return handle.read(cache.READ_LIMIT)
    except OSError:
        return None


def _default_branch_tip(layout: RepoLayout) -> tuple[str, str] | None:
    names: list[str] = []
    head = symbolic_target(layout, f"refs/remotes/{REMOTE}/HEAD")
    if head is not None:
        names.append(head.removeprefix(f"refs/remotes/{REMOTE}/"))
    names += [name for name in DEFAULT_BRANCHES if name not in names]
    for name in names:
        for ref in (f"refs/remotes/{REMOTE}/{name}", f"refs/heads/{name}"):
            commit = _ref_commit(layout, ref)
            if commit:
                return ref, commit
    return None


def _ref_commit(layout: RepoLayout, ref: str) -> str | None:
    if not layout.reftable:
        return read_ref(layout, ref)
    out = _git(layout.root, "rev-parse", "--verify", "--quiet", ref + "^{commit}")
    return out.decode().strip() if out else None


_HARDENED = ("--no-replace-objects", "-c", "core.commitGraph=false")


def _hardened_env() -> dict[str, str]:
    return {**clean_env(), "GIT_GRAFT_FILE": os.devnull, "GIT_NO_REPLACE_OBJECTS": "1"}


def _git(root: Path, *args: str) -> bytes | None:
    """``git args...``'s stdout (None on failure), blind to replace refs, grafts and the
    commit-graph: files an agent could write to fake a commit's parents or a blob."""
    # Imported here: the hook's common path runs no git.
    import subprocess

    env = _hardened_env()
    command = ["git", "-C", str(root), *_HARDENED]
    try:
        done = subprocess.run(
            [*command, *args], capture_output=True, env=env, check=False, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def committed_blob(layout: RepoLayout, spec: str) -> bytes | None:
    """A committed policy's bytes, read no further than the size cap (a policy past it
    fails validation by its size, and a blob of gigabytes costs no more to refuse)."""
    try:
        return read_blob_prefix(
            layout.root, spec, cache.READ_LIMIT, env=_hardened_env(), options=_HARDENED
        )
    except OSError:
        return None


def _descends(layout: RepoLayout, cache_dir: Path, ancestor: str, commit: str) -> bool:
    """Whether ``commit`` is ``ancestor`` or descends from it. A no is kept (it never
    changes), so a refused state costs no git process on every later call."""
    known = cache_dir / f"not-descendant-{ancestor}-{commit}"
    if known.exists():
        return False
    if _git(layout.root, "merge-base", "--is-ancestor", ancestor, commit) is not None:
        return True
    cache.write_atomic(known, b"")
    return False


def _verified_blob(layout: RepoLayout, memory: Memory) -> bytes | None:
    raw = committed_blob(layout, f"{memory.commit}:{POLICY_PATH}")
    return raw if raw is not None and cache.content_key(raw) == memory.policy else None


def _committed_policy(layout: RepoLayout, commit: str, cache_dir: Path) -> bytes | None:
    """The policy file's bytes at ``commit``, or None when that commit has none."""
    pointer = cache_dir / f"commit-{commit}"
    try:
        key = pointer.read_text(encoding="utf-8").strip()
    except OSError:
        key = ""
    if key == _ABSENT:
        return None
    if key:
        raw = remembered_bytes(cache_dir, key)
        if raw is not None:
            return raw
    raw = committed_blob(layout, f"{commit}:{POLICY_PATH}")
    if raw is None:
        cache.write_atomic(pointer, _ABSENT.encode())
    else:
        digest = cache.content_key(raw)
        if cache.write_atomic(cache_dir / f"blob-{digest}", raw):
            cache.write_atomic(pointer, digest.encode())
    return raw


@dataclass(frozen=True)
class MemoryChange:
    """What ``accept`` or ``forget`` changed: the memory before and after (None: none)."""

    before: Memory | Unreadable | None
    after: Memory | None
    label: str = ""


def accept_policy(start: Path, revision: str | None = None) -> MemoryChange:
    """Remember the policy committed at ``revision`` (default: the default branch's tip)
    as the one in force, whatever the memory held. A person's explicit act (``agentgov
    policy accept``); the caller records it."""
    layout = _repository(start)
    cache_dir = layout.state_dir / "policy"
    found = _default_branch_tip(layout)
    if found is None:
        raise UsageError(
            f"no default branch ({REMOTE}/main, main, {REMOTE}/master, master) to accept "
            "a policy from; commit the policy there first"
        )
    ref, commit = found
    if revision is not None:
        out = _git(layout.root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
        if out is None:
            raise UsageError(f"--commit {revision}: not a commit in this repository")
        commit = out.decode().strip()
    raw = _committed_policy(layout, commit, cache_dir)
    if raw is None:
        raise UsageError(
            f"commit {commit[:12]} has no {POLICY_PATH}: nothing to accept "
            "(to drop the memory instead, run `agentgov policy forget`)"
        )
    label = _label(ref)
    load_bytes(raw, label, cache_dir)  # an invalid policy is never accepted
    before = read_memory(cache_dir)
    after = Memory(ref, commit, cache.content_key(raw))
    if not write_memory(cache_dir, after, raw):
        raise UsageError(f"cannot write {_memory_file(layout)}: check that .git/ is writable")
    return MemoryChange(before, after, label)


def forget_policy(start: Path) -> MemoryChange:
    """Drop the memory: the next judgement reads the branch as a fresh clone would."""
    layout = _repository(start)
    cache_dir = layout.state_dir / "policy"
    before = read_memory(cache_dir)
    forget_memory(cache_dir)
    return MemoryChange(before, None)


def _repository(start: Path) -> RepoLayout:
    layout = find_repo(start)
    if layout is None:
        raise UsageError("not inside a git repository; run this at your project")
    return layout
