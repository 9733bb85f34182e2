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

import os
import subprocess
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
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            env=git_env(),
            check=False,
            timeout=TIMEOUT,
        )
    except (OSError, subprocess.SubprocessError) as err:
        raise GitError(f"cannot run git {' '.join(args[:2])}: {err}") from None
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
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            input=data,
            capture_output=True,
            env=git_env(),
            check=False,
            timeout=TIMEOUT,
        )
    except (OSError, subprocess.SubprocessError) as err:
        raise GitError(f"cannot run git {' '.join(args[:2])}: {err}") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", errors="replace").strip() or f"exit {done.returncode}"
        raise GitError(f"git {' '.join(args[:2])}: {detail}")
    return done.stdout


def read_objects(root: Path, names: list[str]) -> dict[str, bytes]:
    """The contents of the objects ``names`` (ids, or ``<commit>:<path>``), through one
    ``git cat-file --batch``; a name git cannot find is left out."""
    if not names:
        return {}
    out = output_bytes(root, "cat-file", "--batch", data="".join(f"{n}\n" for n in names).encode())
    found: dict[str, bytes] = {}
    at = 0
    for name in names:
        end = out.index(b"\n", at)
        header = out[at:end].split(b" ")
        at = end + 1
        if len(header) != 3:  # "<name> missing" (or ambiguous): nothing follows
            continue
        size = int(header[2])
        found[name] = out[at : at + size]
        at += size + 1  # the newline after each object
    return found
