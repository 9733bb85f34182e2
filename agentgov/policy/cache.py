"""The compiled policy cache: validated policy data stored as JSON, keyed by content hash.

Hot paths (the Claude Code hook, pre-push) read the policy file's bytes, hash them and, on
a hit, rebuild the Policy from JSON: no ruamel.yaml, no jsonschema. An entry is only ever
written after full validation, and it records the agentgov version that validated it, so
an upgrade re-validates. Entries are written atomically (temp file + rename), so parallel
sessions never read half a file.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from agentgov import __version__

MAX_POLICY_BYTES = 1024 * 1024
"""The largest policy file read (defined here, not in ``source_text``, so that the hook's
cache hit does not import the YAML reader's module)."""
READ_LIMIT = MAX_POLICY_BYTES + 1
"""Read one byte past the limit so an oversized file is detected without reading it all."""


def content_key(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def lookup(cache_dir: Path, raw: bytes) -> dict[str, Any] | None:
    entry = cache_dir / f"{content_key(raw)}.json"
    try:
        stored = json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("agentgov") != __version__:
        return None
    data = stored.get("policy")
    return data if isinstance(data, dict) else None


def store(cache_dir: Path, raw: bytes, data: dict[str, Any]) -> None:
    """Best effort: a cache that cannot be written only costs speed, never correctness."""
    payload = json.dumps({"agentgov": __version__, "policy": data}, sort_keys=True)
    write_atomic(cache_dir / f"{content_key(raw)}.json", payload.encode("utf-8"))


def write_atomic(path: Path, content: bytes) -> bool:
    """Write via a temp file and rename, so a parallel reader sees all or nothing."""
    # Imported here: only a cache miss writes, and tempfile (shutil, random, bz2, lzma)
    # costs milliseconds the hook's common path does not need.
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        Path(temp).replace(path)
    except OSError:
        return False
    return True
