"""Read a ``find`` command: where it starts, whether it deletes, whether it narrows.

``find / -delete`` and ``find ~ -exec rm -rf {} +`` delete whole trees; ``find ~ -name
'*.pyc' -delete`` deletes only what its tests select. The analyser also reports the command
that ``-exec`` runs, but with ``{}`` as its operand; only the ``find`` itself knows the tree.
"""

from __future__ import annotations

from dataclasses import dataclass

from agentgov.evaluators.shell.model import SimpleCommand, Word

_LEADING_WITH_VALUE = frozenset({"-D"})
_EXEC_ACTIONS = frozenset({"-exec", "-execdir", "-ok", "-okdir"})
_DELETERS = frozenset({"rm", "unlink", "rmdir", "shred"})
# Tests that select entries by name, path, age, size, owner...: with one of them, find no
# longer takes the whole tree.
_NARROWING_TESTS = frozenset(
    {
        "-name",
        "-iname",
        "-path",
        "-ipath",
        "-wholename",
        "-iwholename",
        "-regex",
        "-iregex",
        "-lname",
        "-ilname",
        "-newer",
        "-anewer",
        "-cnewer",
        "-newermt",
        "-mtime",
        "-mmin",
        "-atime",
        "-amin",
        "-ctime",
        "-cmin",
        "-size",
        "-user",
        "-uid",
        "-group",
        "-gid",
        "-nouser",
        "-nogroup",
        "-inum",
        "-samefile",
        "-links",
        "-perm",
        "-empty",
    }
)

# ``-name '*'`` and ``-path '*'`` select everything, so they do not narrow.
_EVERYTHING = frozenset({"*", ".*", "*.*", "/*"})


@dataclass(frozen=True)
class FindCommand:
    """``starts`` are the starting points (``.`` when none is given); ``deletes`` is true for
    ``-delete`` or an ``-exec`` of rm, unlink, rmdir or shred; ``narrowed`` is true when a
    test selects entries (``-name``, ``-mtime``...)."""

    starts: tuple[Word, ...]
    deletes: bool
    narrowed: bool


def _program(word: Word) -> str:
    return word.value.lstrip("\\").rsplit("/", 1)[-1]


def parse_find(command: SimpleCommand) -> FindCommand | None:
    """The find command's reading, or None when ``command`` is not ``find``."""
    if command.name not in ("find", "gfind"):
        return None
    words = command.args
    index = 0
    while index < len(words) and words[index].value.startswith("-"):
        text = words[index].value
        if text in ("-H", "-L", "-P") or text.startswith("-O"):
            index += 1
        elif text in _LEADING_WITH_VALUE:
            index += 2
        else:
            break
    starts: list[Word] = []
    while index < len(words):
        text = words[index].value
        if text.startswith("-") or text in ("(", "!", ")", ","):
            break
        starts.append(words[index])
        index += 1
    expression = [word.value for word in words[index:]]
    deletes = "-delete" in expression
    for position, text in enumerate(expression[:-1]):
        if text in _EXEC_ACTIONS and _program(words[index + position + 1]) in _DELETERS:
            deletes = True
    narrowed = any(
        text in _NARROWING_TESTS
        and (position + 1 >= len(expression) or expression[position + 1] not in _EVERYTHING)
        for position, text in enumerate(expression)
    )
    return FindCommand(tuple(starts) or (Word(".", "."),), deletes, narrowed)
