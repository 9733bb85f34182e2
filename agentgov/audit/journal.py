"""The journal: the hot path's append-only record store under ``.git/agentgov/journal/``.

One file per session (``<session>.jsonl``), one JSON record per line (the audit-record v1
format in ``schemas/audit-record.schema.json``). Each record carries its sequence number
and the sha256 of the session's previous line, so a removed or edited record breaks the
chain. Appends hold an exclusive ``flock`` on the session file while they read the chain's
tip and write one line, so parallel hooks of one session never fork the chain and parallel
sessions never touch each other's files. ``audit flush`` later moves lines into git notes
and leaves a ``.tip`` file so the chain continues across flushes.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentgov.errors import AgentgovError

RECORD_VERSION = 1
MAX_INPUT_CHARS = 4096
_TAIL_CHUNK = 64 * 1024
_SAFE_SESSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


class JournalError(AgentgovError):
    """The journal cannot be written; hooks turn this into a deny (fail closed)."""


@dataclass(frozen=True)
class Appended:
    record: dict[str, Any]
    line: str
    digest: str


def line_digest(line: str) -> str:
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


def session_file_name(session: str) -> str:
    """A file name for ``session``: itself when safe, else a hash (never a path escape)."""
    if _SAFE_SESSION.match(session) and ".." not in session:
        return session
    return "s-" + hashlib.sha256(session.encode("utf-8")).hexdigest()[:32]


def clip(text: str, limit: int = MAX_INPUT_CHARS) -> str:
    """Keep records small: long inputs are cut with a visible mark."""
    if len(text) <= limit:
        return text
    return text[:limit] + f"…[{len(text) - limit} more chars]"


def utc_now() -> str:
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}Z"


def encode(record: dict[str, Any]) -> str:
    """The canonical line: sorted keys, no spaces, UTF-8 kept (what the chain hashes)."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class Journal:
    def __init__(self, state_dir: Path) -> None:
        self.directory = state_dir / "journal"

    def path(self, session: str) -> Path:
        return self.directory / f"{session_file_name(session)}.jsonl"

    def append(self, session: str, fields: dict[str, Any]) -> Appended:
        """Append one record for ``session``; ``fields`` hold the kind-specific part."""
        path = self.path(session)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError as err:
            raise JournalError(
                f"cannot write the audit journal {path}: {err.strerror}; "
                "check that .git/agentgov/ is writable"
            ) from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            seq, prev = self._tip(handle, path)
            record = {
                **fields,
                "v": RECORD_VERSION,
                "session": session,
                "seq": seq,
                "prev": prev,
                "ts": fields.get("ts") or utc_now(),
            }
            line = encode(record)
            os.write(handle, (line + "\n").encode("utf-8"))
        except OSError as err:
            raise JournalError(
                f"cannot append to the audit journal {path}: {err.strerror}"
            ) from None
        finally:
            os.close(handle)
        return Appended(record, line, line_digest(line))

    def _tip(self, handle: int, path: Path) -> tuple[int, str]:
        """The next sequence number and the previous line's digest."""
        last = _last_line(handle)
        if last is None:
            tip = path.with_suffix(".tip")
            try:
                seq_text, digest = tip.read_text(encoding="utf-8").split()
                return int(seq_text) + 1, digest
            except (OSError, ValueError):
                return 0, ""
        try:
            seq = int(json.loads(last)["seq"])
        except (ValueError, KeyError, TypeError):
            raise JournalError(
                f"the last line of {path} is not an audit record; "
                "run `agentgov audit verify` to see what happened"
            ) from None
        return seq + 1, line_digest(last)

    def sessions(self) -> list[Path]:
        try:
            return sorted(self.directory.glob("*.jsonl"))
        except OSError:
            return []


def _last_line(handle: int) -> str | None:
    size = os.fstat(handle).st_size
    if size == 0:
        return None
    chunk = _TAIL_CHUNK
    while True:
        start = max(0, size - chunk)
        data = os.pread(handle, size - start, start)
        body = data.rstrip(b"\n")
        cut = body.rfind(b"\n")
        if cut != -1 or start == 0:
            return body[cut + 1 :].decode("utf-8", errors="replace")
        chunk *= 4
