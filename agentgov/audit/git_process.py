"""Running git for the audit commands, safely from inside a git hook.

Flush runs from post-commit and sync from pre-push (#6). There git exports ``GIT_DIR``,
``GIT_INDEX_FILE``, ``GIT_OBJECT_DIRECTORY`` and ``GIT_QUARANTINE_PATH`` for its own
purposes, and they would silently point our git calls at the wrong repository, index or
object store. So the environment is an allow-list: the user's configuration
(``GIT_CONFIG_*``, including ``git -c`` passed down to hooks), where git finds its
programs, and what transports need to reach a remote the way the user's own push does
(ssh command, askpass, proxies, TLS settings).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from agentgov.errors import GitError

_TRANSPORT = frozenset(
    {
        "GIT_SSH",
        "GIT_SSH_COMMAND",
        "GIT_SSH_VARIANT",
        "GIT_ASKPASS",
        "GIT_TERMINAL_PROMPT",
        "GIT_PROXY_COMMAND",
        "GIT_SSL_NO_VERIFY",
        "GIT_SSL_CAINFO",
        "GIT_SSL_CAPATH",
        "GIT_HTTP_USER_AGENT",
        "GIT_HTTP_LOW_SPEED_LIMIT",
        "GIT_HTTP_LOW_SPEED_TIME",
        "GIT_EXEC_PATH",
    }
)
TIMEOUT = 300.0
"""Seconds for one git call: a push over a slow link, never a hang forever in a hook."""


@dataclass(frozen=True)
class Done:
    returncode: int
    stdout: str
    stderr: str


def git_env() -> dict[str, str]:
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("GIT_") or key.startswith("GIT_CONFIG_") or key in _TRANSPORT
    }


def run(root: Path, *args: str) -> Done:
    """``git -C root args`` with the scrubbed environment; never raises for git's exit."""
    done = _completed(root, args, None)
    return Done(
        done.returncode,
        done.stdout.decode("utf-8", errors="replace"),
        done.stderr.decode("utf-8", errors="replace"),
    )


def output(root: Path, *args: str) -> str:
    """git's stdout; a GitError with git's own message when it fails."""
    done = run(root, *args)
    if done.returncode != 0:
        detail = done.stderr.strip() or f"exit {done.returncode}"
        raise GitError(f"git {' '.join(args[:2])}: {detail}")
    return done.stdout


def resolve_commit(root: Path, revision: str) -> str | None:
    """The full id of the commit ``revision`` names, or None when it names none."""
    if revision.startswith("-"):
        return None
    done = run(
        root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"
    )
    text = done.stdout.strip()
    return text if done.returncode == 0 and text else None


def output_bytes(root: Path, *args: str, data: bytes = b"") -> bytes:
    """git's stdout as bytes, fed ``data`` on stdin; a GitError with git's message on failure.

    ``subprocess.run`` feeds stdin and drains stdout together, so neither pipe can fill up
    and stall git however much goes either way.
    """
    done = _completed(root, args, data)
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", errors="replace").strip() or f"exit {done.returncode}"
        raise GitError(f"git {' '.join(args[:2])}: {detail}")
    return done.stdout


def _completed(
    root: Path, args: tuple[str, ...], data: bytes | None
) -> subprocess.CompletedProcess[bytes]:
    """``git -C root args`` run to its end (stdin ``data``, else inherited); a GitError
    only when git cannot be run or takes over ``TIMEOUT``."""
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args],
            input=data,
            capture_output=True,
            env=git_env(),
            check=False,
            timeout=TIMEOUT,
        )
    except (OSError, subprocess.SubprocessError) as err:
        raise GitError(f"cannot run git {' '.join(args[:2])}: {err}") from None


def read_objects(root: Path, names: list[str]) -> dict[str, bytes]:
    """The contents of the objects ``names`` (ids, or ``<commit>:<path>``), through one
    ``git cat-file --batch``; a name git cannot find is left out."""
    return {name: data for name, data in stream_objects(root, names) if data is not None}


def stream_objects(root: Path, names: list[str]) -> Iterator[tuple[str, bytes | None]]:
    """(name, content or None when git has no such object), in the order asked, streamed
    from one ``git cat-file --batch --buffer``.

    Streamed so that a caller holds only the objects it still needs (a long notes history
    asks for tens of megabytes of note blobs), and buffered because flushing after every
    object cost git a third of its time. Ask in the order the objects were written
    (newest first): packs store the newest version whole and older ones as deltas of it,
    and git's delta base cache then serves each base once.
    """
    if not names:
        return
    try:
        objects = cat_file_batch(["-C", str(root)], names)
    except OSError as err:
        raise GitError(f"cannot run git cat-file: {err}") from None
    yield from objects


def cat_file_batch(where: list[str], names: Sequence[str]) -> Iterator[tuple[str, bytes | None]]:
    """(name, content or None when git has no such object), in the order asked, from one
    ``git <where> cat-file --batch --buffer`` (``where``: ``-C <dir>`` or ``--git-dir=<dir>``).

    The process starts here, so a missing git raises OSError at once, not mid-iteration.
    """
    process = subprocess.Popen(
        ["git", *where, "cat-file", "--batch", "--buffer"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # a missing object is reported on stdout
        env=git_env(),
    )
    request = "".join(f"{name}\n" for name in names).encode()

    def feed() -> None:  # a thread: the request can outgrow the pipe while git answers
        stdin = process.stdin
        assert stdin is not None
        with contextlib.suppress(OSError):  # the reader stopped early and git is gone
            stdin.write(request)
        with contextlib.suppress(OSError):
            stdin.close()

    def read() -> Iterator[tuple[str, bytes | None]]:
        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        out = process.stdout
        assert out is not None
        try:
            for name in names:
                header = out.readline().split(b" ")
                if len(header) != 3:  # "<name> missing" (or ambiguous): nothing follows
                    if not header or not header[0]:
                        raise GitError(f"git cat-file stopped before {name}")
                    yield name, None
                    continue
                data = out.read(int(header[2]))
                out.read(1)  # the newline after each object
                yield name, data
        finally:
            out.close()
            if process.poll() is None:
                process.kill()
            process.wait()
            writer.join()

    return read()


class BackgroundGit:
    """One git command started at once, its input and output in temporary files, so a
    caller can do other work meanwhile (another core runs git) and no thread is needed;
    ``result()`` waits for it."""

    def __init__(self, root: Path, args: list[str], data: bytes = b"") -> None:
        named = list(args)
        while named[:1] == ["-c"]:  # name the command, not its configuration
            named = named[2:]
        self._name = " ".join(named[:2])
        # Files, not pipes: git must not stall on a full pipe while nobody reads it. They
        # outlive this call on purpose and are closed by result().
        self._stdin = tempfile.TemporaryFile()  # noqa: SIM115
        self._stdin.write(data)
        self._stdin.seek(0)
        self._stdout = tempfile.TemporaryFile()  # noqa: SIM115
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            self._process = subprocess.Popen(
                ["git", "-C", str(root), *args],
                stdin=self._stdin,
                stdout=self._stdout,
                stderr=self._stderr,
                env=git_env(),
            )
        except OSError as err:
            self._close()
            raise GitError(f"cannot run git {self._name}: {err}") from None

    def result(self) -> bytes:
        """git's stdout once it has finished; a GitError with its message if it failed."""
        try:
            code = self._process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
            self._close()
            raise GitError(f"git {self._name} took over {TIMEOUT:.0f}s") from None
        self._stdout.seek(0)
        self._stderr.seek(0)
        out, err = self._stdout.read(), self._stderr.read()
        self._close()
        if code != 0:
            detail = err.decode("utf-8", "replace").strip() or f"exit {code}"
            raise GitError(f"git {self._name}: {detail}")
        return out

    def _close(self) -> None:
        for handle in (self._stdin, self._stdout, self._stderr):
            handle.close()
