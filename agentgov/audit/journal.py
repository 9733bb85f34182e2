"""The journal: the hot path's append-only record store under ``.git/agentgov/journal/``.

One file per session (``<session>.jsonl``), one JSON record per line (the audit-record v1
format in ``schemas/audit-record.schema.json``). Each record carries its sequence number
and the sha256 of the session's previous line, so a removed or edited record breaks the
chain. Appends hold an exclusive ``flock`` on the session file while they read the chain's
tip and write one line, so parallel hooks of one session never fork the chain and parallel
sessions never touch each other's files. ``audit flush`` later moves lines into git notes
and leaves a ``.tip`` file so the chain continues across flushes.

The flush takes a session file away by renaming it while it holds the file's lock
(``detach``). An appender that opened the file before the rename and was waiting for the
lock would then write into the renamed file, after the flush had read it: a lost record.
So an append checks, once it holds the lock, that its descriptor is still the file at the
path, and reopens when it is not.

One call, one record, however many handlers run. Claude Code runs every matching handler
in parallel with the same stdin, so a hook installed both in ``~/.claude/settings.json``
and in the project's settings sees each event twice. A journal opened with an
``EventKey`` (the hook's: session and ``tool_use_id``, or a digest of the raw payload)
records the event once: its first append checks, under the session lock, a small key index
beside the session file (``<session>.keys``, the last ``KEY_INDEX_KEEP`` to
``2 * KEY_INDEX_KEEP`` keys, so the check is O(1) in the session's length), and skips the
event when another handler recorded it already. The record line is written before its key:
a handler killed in between can cause a duplicate, never a lost record.

A flush that only parks records on HEAD (a session's end, a push) marks them, so later
evidence never takes HEAD for the commit they led to: inside ``parking(...)``, ``detach``
appends to each session it takes away one chained record, ``kind: session``,
``event: parked``, whose ``detail`` names the seqs it covers (``first_seq`` to
``last_seq``: exactly the records detached with it, under the same lock).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentgov.errors import AgentgovError

RECORD_VERSION = 1
MAX_INPUT_CHARS = 4096
_TAIL_CHUNK = 64 * 1024
FLUSHING_SUFFIX = ".flushing"
_REOPEN_LIMIT = 1000
"""Reopens after a flush renamed the file under us; each needs a whole flush to happen."""
_SAFE_SESSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
KEY_INDEX_KEEP = 256
"""Event keys kept per session: parallel handlers of one event append within seconds of
each other, so a few hundred recent keys always hold the other handler's."""
KEY_SUFFIX = ".keys"
_PARKING: ContextVar[dict[str, Any] | None] = ContextVar("agentgov_parking", default=None)


class JournalError(AgentgovError):
    """The journal cannot be written; hooks turn this into a deny (fail closed)."""


@dataclass(frozen=True)
class Appended:
    """One append: the record and its line; ``duplicate`` when another handler of the same
    event had recorded it, so nothing was written (``line`` and ``digest`` are empty)."""

    record: dict[str, Any]
    line: str
    digest: str
    duplicate: bool = False


@dataclass(frozen=True)
class EventKey:
    """What identifies one hook event across the handlers that all receive it.

    ``expires`` is None for keys that never repeat (a ``tool_use_id``), or the seconds
    after which the same key is a new event: a payload digest repeats when an identical
    event really happens again (the same prompt, with no ``prompt_id``, typed twice), and
    parallel handlers of one event record within their deadline of each other.
    """

    key: str
    expires: float | None = None


@contextlib.contextmanager
def parking(fields: dict[str, Any]) -> Iterator[None]:
    """Within this block, every session ``detach`` takes away ends with a ``parked``
    record made of ``fields`` (``source``, ``commit``, ``detail.by``...), covering exactly
    the records detached with it."""
    token = _PARKING.set(fields)
    try:
        yield
    finally:
        _PARKING.reset(token)


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
    """The journal under ``state_dir``; with ``event``, the records of one hook event,
    written once however many handlers of that event run (see the module docstring)."""

    def __init__(self, state_dir: Path, event: EventKey | None = None) -> None:
        self.directory = state_dir / "journal"
        self.event = event
        self._claimed = False
        self.duplicate = False
        """Another handler recorded this event: every append of this journal is skipped."""

    def path(self, session: str) -> Path:
        return self.directory / f"{session_file_name(session)}.jsonl"

    def append(self, session: str, fields: dict[str, Any]) -> Appended:
        """Append one record for ``session``; ``fields`` hold the kind-specific part."""
        if self.duplicate:
            return Appended(fields, "", "", duplicate=True)
        path = self.path(session)
        handle = self._open_locked(path)
        try:
            claim = self.event is not None and not self._claimed
            if claim and self._seen(path):
                self.duplicate = True
                return Appended(fields, "", "", duplicate=True)
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
            if claim:
                self._remember(path)
                self._claimed = True
        except OSError as err:
            raise JournalError(
                f"cannot append to the audit journal {path}: {err.strerror}"
            ) from None
        finally:
            os.close(handle)
        return Appended(record, line, line_digest(line))

    def _seen(self, path: Path) -> bool:
        """Whether this journal's event key is in the session's key index (under the
        session lock). An unreadable index counts as empty: recording twice beats losing."""
        assert self.event is not None
        try:
            data = path.with_suffix(KEY_SUFFIX).read_bytes()
        except OSError:
            return False
        wanted = self.event.key.encode("ascii")
        now = time.time()
        for line in data.split(b"\n"):
            key, _, when = line.partition(b" ")
            if key != wanted:
                continue
            if self.event.expires is None:
                return True
            with contextlib.suppress(ValueError):
                if now - float(when) < self.event.expires:
                    return True
        return False

    def _remember(self, path: Path) -> None:
        """Add this journal's event key to the index; past ``2 * KEY_INDEX_KEEP`` keys,
        keep the last ``KEY_INDEX_KEEP`` (a rewrite once every ``KEY_INDEX_KEEP`` appends)."""
        assert self.event is not None
        index = path.with_suffix(KEY_SUFFIX)
        entry = f"{self.event.key} {time.time():.3f}\n".encode("ascii")
        handle = os.open(index, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(handle, entry)
            size = os.fstat(handle).st_size
        finally:
            os.close(handle)
        if size > 2 * KEY_INDEX_KEEP * len(entry):
            lines = index.read_bytes().splitlines(keepends=True)
            if len(lines) > 2 * KEY_INDEX_KEEP:
                _write_atomically(index, b"".join(lines[-KEY_INDEX_KEEP:]).decode("ascii"))

    def _open_locked(self, path: Path) -> int:
        """The session file, opened for appending and locked, and still the one at ``path``.

        A flush renames the file under its lock; whoever waited for that lock on the old
        file finds, once it gets it, that the path now names another file (or none), and
        opens the path again rather than write where no flush will look.
        """
        for _ in range(_REOPEN_LIMIT):
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
                if _same_file(handle, path):
                    return handle
            except OSError as err:
                os.close(handle)
                raise JournalError(
                    f"cannot lock the audit journal {path}: {err.strerror}"
                ) from None
            os.close(handle)
        raise JournalError(
            f"the audit journal {path} kept being replaced while appending; "
            "is a flush looping? run `agentgov audit flush` once by hand"
        )

    def detach(self, path: Path, renamed: Path) -> Detached | None:
        """Take the session file at ``path`` away for a flush: under its lock, write the
        chain's ``.tip`` and rename the file to ``renamed``.

        The tip is written before the rename, both under the lock, so the first append to
        the fresh file continues the chain from the last detached line, and a kill at any
        point leaves either the file in place (the tip then changes nothing: appends read
        the file's last line first) or the renamed file with its tip already written.
        None when there is no file or it holds nothing yet.
        """
        try:
            handle = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            return None
        except OSError as err:
            raise JournalError(f"cannot open the audit journal {path}: {err.strerror}") from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            if not _same_file(handle, path):  # only a flush renames, and flushes take turns
                return None
            data = _read_all(handle)
            if not data.strip():
                return None
            parked = _PARKING.get()
            if parked is not None:
                data += _park_line(handle, data, parked)
            tip = chain_tip(data)
            if tip is not None:
                _write_atomically(path.with_suffix(".tip"), f"{tip[0]} {tip[1]}\n")
            os.rename(path, renamed)
        finally:
            os.close(handle)
        return Detached(renamed, data)

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

    def flushing(self) -> list[Path]:
        """Files a flush took away and has not finished moving into notes."""
        try:
            return sorted(self.directory.glob(f"*{FLUSHING_SUFFIX}"))
        except OSError:
            return []


@dataclass(frozen=True)
class Detached:
    """A session file renamed away by a flush, and the bytes it held when renamed."""

    path: Path
    data: bytes


def chain_tip(data: bytes) -> tuple[int, str] | None:
    """(seq, digest) of the last line in ``data`` that is a record, or None.

    A torn or corrupt last line is skipped, so the chain continues from the last record
    an appender could have chained to; verify reports the bad line itself.
    """
    for raw in reversed(data.split(b"\n")):
        if not raw.strip():
            continue
        try:
            seq = json.loads(raw)["seq"]
        except (ValueError, KeyError, TypeError):
            continue
        if isinstance(seq, int) and not isinstance(seq, bool):
            return seq, hashlib.sha256(raw).hexdigest()
    return None


def _park_line(handle: int, data: bytes, fields: dict[str, Any]) -> bytes:
    """Append to the locked session file the ``parked`` record covering the records in
    ``data``; returns the bytes written (nothing when ``data`` holds no record)."""
    first = last = None
    session = None
    for raw in data.split(b"\n"):
        try:
            record = json.loads(raw)
            seq = record["seq"]
        except (ValueError, KeyError, TypeError):
            continue
        if isinstance(seq, int) and not isinstance(seq, bool):
            first = seq if first is None else first
            last, session = seq, record.get("session")
    tip = chain_tip(data)
    if first is None or last is None or tip is None or not isinstance(session, str):
        return b""
    detail = {**fields.get("detail", {}), "first_seq": first, "last_seq": last}
    record = {
        **fields,
        "kind": "session",
        "event": "parked",
        "detail": detail,
        "v": RECORD_VERSION,
        "session": session,
        "seq": tip[0] + 1,
        "prev": tip[1],
        "ts": utc_now(),
    }
    line = (encode(record) + "\n").encode("utf-8")
    prefix = b"" if data.endswith(b"\n") else b"\n"
    os.lseek(handle, 0, os.SEEK_END)  # detach opens without O_APPEND
    os.write(handle, prefix + line)
    return prefix + line


def _same_file(handle: int, path: Path) -> bool:
    try:
        named = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(handle)
    return (held.st_dev, held.st_ino) == (named.st_dev, named.st_ino)


def _read_all(handle: int) -> bytes:
    size = os.fstat(handle).st_size
    return os.pread(handle, size, 0) if size else b""


def _write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` whole: an appender reading the tip never sees half of it."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


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
