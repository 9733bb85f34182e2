"""Turn a shell word into the absolute path it names, where that can be known statically.

``~``, ``~/x``, ``$HOME``, ``${HOME}`` and ``${HOME:?}`` become the home directory (the
analyser may already have done so; both forms are accepted). Relative words are joined to
the command's cwd and ``..`` is folded, so ``../../..`` from ``/code/project`` is ``/``. A
word with any other expansion, or a relative word whose cwd is unknown, names no path: the
rule that asked leaves it to the analyser's ``dynamic`` class.
"""

from __future__ import annotations

import posixpath
import re

from agentgov.evaluators.shell.model import Word

# ``$HOME``, ``${HOME}``, and the forms that still yield $HOME when it is set:
# ``${HOME:?msg}``, ``${HOME:-x}``, ``${HOME-x}``, ``${HOME:=x}`` (not ``${HOME:+x}``).
_HOME_VARIABLE = re.compile(r"^(?:\$HOME|\$\{HOME(?::?[-?=][^}]*)?\})(?=/|$)")
_GLOB_CHARS = frozenset("*?[")


def normalize(path: str) -> str:
    """Fold ``.``, ``..`` and repeated slashes (``//`` too, which POSIX keeps)."""
    folded = posixpath.normpath(path)
    return "/" + folded.lstrip("/") if folded.startswith("/") else folded


def expand_home(word: Word, home: str) -> str | None:
    """The word's text with a leading ``~`` or ``$HOME`` replaced, or None when the word
    still holds an expansion nobody can resolve."""
    text = word.value
    if word.raw.startswith("~") and (text == "~" or text.startswith("~/")):
        text = home + text[1:]
    elif text.startswith("~root") and word.raw.startswith("~root"):
        text = "/root" + text[5:]
    if not word.static:
        text = _HOME_VARIABLE.sub(lambda _: home, text, count=1)
        if "$" in text or "`" in text:
            return None
    return text


def resolve(word: Word, cwd: str | None, home: str) -> str | None:
    """The absolute, normalised path ``word`` names, or None when it cannot be known."""
    text = expand_home(word, home)
    if text is None or text == "":
        return None
    if not text.startswith("/"):
        if cwd is None:
            return None
        text = posixpath.join(cwd, text)
    return normalize(text)


def glob_parent(path: str) -> tuple[str, str] | None:
    """For a path with glob characters, the directory before the first globbing segment and
    that segment (``/usr/*/x`` -> ``("/usr", "*")``); None when nothing globs."""
    segments = path.split("/")
    for position, segment in enumerate(segments):
        if _GLOB_CHARS & set(segment):
            parent = "/".join(segments[:position]) or "/"
            return parent, segment
    return None


def is_within(path: str, directory: str) -> bool:
    """True when ``path`` is ``directory`` or beneath it (both absolute and normalised)."""
    return path == directory or path.startswith(directory.rstrip("/") + "/")


def relative_to(path: str, directory: str) -> str | None:
    """``path`` relative to ``directory`` (``"."`` for the directory itself), or None."""
    if path == directory:
        return "."
    prefix = directory.rstrip("/") + "/"
    return path[len(prefix) :] if path.startswith(prefix) else None
