"""Evidence's cache files under ``.git/agentgov/cache/``: marshal'd plain values behind a
header and a digest of the payload, written atomically.

A file that is missing, cut short, corrupt (the digest disagrees) or not marshal reads as
nothing, so the caller reads git again: a cache can make a run faster, never different.
marshal, not pickle: it builds plain values and runs nothing. What a file holds is keyed
by git object ids, which name their content, so an entry never goes stale.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
from pathlib import Path
from typing import Any

MAGIC = b"agentgov-evidence-cache\n"
_DIGEST = 32


def load(path: Path) -> object:
    """The value stored at ``path``, or None when there is no sound one."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head = len(MAGIC) + _DIGEST
    if len(data) < head or not data.startswith(MAGIC):
        return None
    payload = memoryview(data)[head:]
    if hashlib.blake2b(payload).digest()[:_DIGEST] != data[len(MAGIC) : head]:
        return None  # cut short or corrupt: not trusted
    try:
        return marshal.loads(payload)  # noqa: S302 -- plain values only; see above
    except (EOFError, ValueError, TypeError):
        return None


def save(path: Path, value: Any) -> None:
    """Best effort, atomic: a run never fails because its cache could not be written, and
    a reader never sees half a file."""
    try:
        payload = marshal.dumps(value)
    except ValueError:
        return
    save_payload(path, payload)


def save_payload(path: Path, payload: bytes) -> None:
    """``save`` of a value already marshal'd."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        digest = hashlib.blake2b(payload).digest()[:_DIGEST]
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(MAGIC + digest + payload)
        os.replace(temporary, path)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            temporary.unlink()
