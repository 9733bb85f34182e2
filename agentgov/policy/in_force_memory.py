"""The clone's memory of the policy in force: which ref, which commit, which content.

Once a committed policy has been seen on the default branch, this clone remembers it in
``.git/agentgov/policy/in-force`` (a four-line text file, written atomically) and never falls
back to the working copy again: a ref moved to an older commit, to a commit without a policy
or to an unrelated history is refused, and the remembered policy stays in force (see
``in_force.py`` and docs/policy.md, "The policy in force"). The file is one small read on
the hook's hot path. ``.git/agentgov/`` is a guarded path (``guard.tamper``), so the agent
cannot delete the memory to make the clone look fresh; a person moves or drops it with
``agentgov policy accept`` / ``agentgov policy forget``, which are recorded in the journal.

The remembered policy's bytes are kept beside it (``blob-<sha256>``, shared with the commit
cache), so the memory still loads when the commit itself is gone (``git gc`` after a ref
was moved away from it); the bytes are checked against the hash before use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from agentgov.policy import cache

MEMORY_NAME = "in-force"
HEADER = "agentgov policy in force v1"
_COMMIT = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?\Z")
_SHA256 = re.compile(r"[0-9a-f]{64}\Z")
_REF = re.compile(r"refs/(heads|remotes)/[^\s]+\Z")


@dataclass(frozen=True)
class Memory:
    """The last policy in force: committed on ``ref`` at ``commit``, content hash ``policy``."""

    ref: str
    commit: str
    policy: str


@dataclass(frozen=True)
class Unreadable:
    """A memory file exists but cannot be used; ``reason`` says why."""

    reason: str


def memory_path(cache_dir: Path) -> Path:
    return cache_dir / MEMORY_NAME


def encode_memory(memory: Memory) -> bytes:
    text = f"{HEADER}\nref {memory.ref}\ncommit {memory.commit}\npolicy {memory.policy}\n"
    return text.encode("ascii")


def decode_memory(raw: bytes) -> Memory | Unreadable:
    try:
        lines = raw.decode("ascii").splitlines()
    except UnicodeDecodeError:
        return Unreadable("it is not ASCII text")
    if len(lines) != 4 or lines[0] != HEADER:
        return Unreadable(f"it does not start with {HEADER!r} followed by three lines")
    fields = dict(line.partition(" ")[::2] for line in lines[1:])
    ref, commit, policy = fields.get("ref", ""), fields.get("commit", ""), fields.get("policy", "")
    if not _REF.match(ref):
        return Unreadable(f"its ref {ref!r} is not a branch or remote-tracking ref")
    if not _COMMIT.match(commit):
        return Unreadable(f"its commit {commit!r} is not an object id")
    if not _SHA256.match(policy):
        return Unreadable(f"its policy hash {policy!r} is not a sha256")
    return Memory(ref, commit, policy)


def read_memory(cache_dir: Path) -> Memory | Unreadable | None:
    """The memory, why it cannot be used, or None when there is none (a fresh clone)."""
    try:
        with memory_path(cache_dir).open("rb") as handle:
            raw = handle.read(4096)
    except FileNotFoundError:
        return None
    except OSError as err:
        return Unreadable(f"it cannot be read ({err.strerror})")
    return decode_memory(raw)


def write_memory(cache_dir: Path, memory: Memory, raw_policy: bytes) -> bool:
    """Remember ``memory`` and keep the policy's bytes; False when it could not be written
    (the caller still judges by the policy it found: a memory that is not written only
    means the next call decides afresh)."""
    if not remembered_bytes_ok(cache_dir, memory.policy):
        cache.write_atomic(cache_dir / f"blob-{memory.policy}", raw_policy)
    return cache.write_atomic(memory_path(cache_dir), encode_memory(memory))


def forget_memory(cache_dir: Path) -> bool:
    """Drop the memory; True when there was one."""
    try:
        memory_path(cache_dir).unlink()
    except FileNotFoundError:
        return False
    return True


def remembered_bytes(cache_dir: Path, key: str) -> bytes | None:
    """The remembered policy's bytes when they are kept and match their hash."""
    try:
        raw = (cache_dir / f"blob-{key}").read_bytes()
    except OSError:
        return None
    return raw if cache.content_key(raw) == key else None


def remembered_bytes_ok(cache_dir: Path, key: str) -> bool:
    return remembered_bytes(cache_dir, key) is not None
