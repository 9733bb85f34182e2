"""Paths as the analyser compares them, and the files commands write.

Everything is lexical: a path is joined to the working directory the analyser tracked and
normalised, never resolved against the file system (the analyser does no I/O).
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agentgov.evaluators.shell.model import SimpleCommand, Word


def directory_after_cd(cwd: str | None, word: Word) -> str | None:
    """Where ``cd word`` from ``cwd`` goes, or None when that cannot be known."""
    if not word.static or word.glob or word.value in ("", "-"):
        return None
    value = word.value
    if not value.startswith("/"):
        if cwd is None:
            return None
        value = posixpath.join(cwd, value)
    return normalise(value)


def normalise(path: str) -> str:
    """``path`` without `.`, `..`, repeated or trailing slashes."""
    if path.startswith("/") and "//" not in path and "/." not in path and path[-1] != "/":
        return path  # already normal (the common case: skip normpath's work)
    normal = posixpath.normpath(path)
    # POSIX keeps a leading `//`; for our comparisons it is `/`.
    return "/" + normal.lstrip("/") if normal.startswith("//") else normal


def path_key(cwd: str | None, path: str) -> str:
    """The absolute normalised path (relative when the directory is unknown)."""
    if path.startswith("/") or cwd is None:
        return normalise(path)
    return normalise(posixpath.join(cwd, path))


def output_files(command: SimpleCommand) -> list[str]:
    """Files a downloader or ``tee`` writes (``curl -o f``, ``wget -O f``, ``tee f``)."""
    argv = command.argv
    files: list[str] = []
    if command.name == "tee":
        return [word.value for word in argv[1:] if word.static and not word.value.startswith("-")]
    short, long_option = ("o", "--output") if command.name == "curl" else ("O", "--output-document")
    remote_name = False
    urls: list[str] = []
    i = 1
    while i < len(argv):
        word = argv[i]
        value = word.value
        if value == long_option and i + 1 < len(argv):
            files.append(argv[i + 1].value)
            i += 2
            continue
        if value.startswith(long_option + "="):
            files.append(value.partition("=")[2])
        elif value.startswith("-") and not value.startswith("--") and short in value:
            attached = value[value.index(short) + 1 :]
            if attached:
                files.append(attached)
            elif i + 1 < len(argv):
                files.append(argv[i + 1].value)
                i += 1
        elif command.name == "curl" and (
            value == "--remote-name"
            or (value.startswith("-") and not value.startswith("--") and "O" in value)
        ):
            remote_name = True
        elif "://" in value:
            urls.append(value)
        i += 1
    if command.name == "wget" and not files:
        remote_name = True
    if remote_name:
        for url in urls:
            base = url.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
            if base and "://" not in base:
                files.append(base)
    return [name for name in files if name and name != "-"]
