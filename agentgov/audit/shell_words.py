"""A small shell lexer for redaction: the words of each simple command, and where they are.

Redaction needs to know which word follows ``-p`` or is the third operand of ``htpasswd
-b``, and where that word's characters sit in the original text, so that only the secret is
replaced and every other byte is kept. The guard's bash parser (tree-sitter) answers more,
but it lives in the evaluators and costs more than this pass is allowed; this lexer is pure,
linear and never fails: an unterminated quote is taken as a literal character.

What it knows: blanks, quotes (``'…'``, ``"…"`` with its backslash escapes), backslashes,
comments, the control operators (``;``, ``&``, ``|``, ``&&``, ``||``, ``|&``, newlines), the
openings and closings of subshells and command substitutions (``(``, ``)``, ``$(``,
backticks) which also end a simple command, and redirections (their targets are not
arguments; a here-string ``<<<word`` is kept as the command's stdin).
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Word(NamedTuple):
    """One shell word: its value after quote removal, and for each character of the value
    the offset of that character in the lexed text."""

    text: str
    where: tuple[int, ...]


class Command(NamedTuple):
    """A simple command: its words (redirections left out), the words given to it as
    here-strings, and whether a pipe feeds it the output of the command before."""

    words: tuple[Word, ...]
    here_strings: tuple[Word, ...]
    piped: bool


_BLANK = frozenset(" \t\r")
_PLAIN = re.compile(r"[^ \t\r\n;&|()`<>'\"\\$]+")
_REDIRECT = re.compile(r"\d*(?:<<<|<<-?|<>|<&|>&|&>>?|>>|>\||<|>)")
_DOUBLE_QUOTED_ESCAPES = frozenset('"\\$`\n')


def commands(text: str) -> list[Command]:
    """The simple commands of ``text``, in order."""
    found: list[Command] = []
    words: list[Word] = []
    here_strings: list[Word] = []
    piped = False
    redirect: str | None = None
    i = 0
    n = len(text)

    def flush(next_piped: bool) -> None:
        nonlocal words, here_strings, piped
        if words or here_strings:
            found.append(Command(tuple(words), tuple(here_strings), piped))
        words, here_strings, piped = [], [], next_piped

    while i < n:
        char = text[i]
        if char in _BLANK:
            i += 1
            continue
        if char == "\\" and text.startswith("\n", i + 1):  # line continuation
            i += 2
            continue
        if char == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if char in "<>&" or char.isdigit():
            match = _REDIRECT.match(text, i)
            if match is not None:
                redirect = match.group()
                i = match.end()
                continue
        if char == "|":
            if text.startswith("||", i):
                flush(False)
                i += 2
            else:
                flush(True)
                i += 2 if text.startswith("|&", i) else 1
            continue
        if char in ";&\n()`" or text.startswith("$(", i):
            flush(False)
            i += 2 if char == "$" else 1
            continue
        word, i = _read_word(text, i)
        if redirect is None:
            words.append(word)
        elif redirect.endswith("<<<"):
            here_strings.append(word)
        redirect = None
    flush(False)
    return found


def _read_word(text: str, i: int) -> tuple[Word, int]:
    chars: list[str] = []
    where: list[int] = []
    n = len(text)
    while i < n:
        plain = _PLAIN.match(text, i)
        if plain is not None:
            chars.append(plain.group())
            where.extend(range(i, plain.end()))
            i = plain.end()
            continue
        char = text[i]
        if char == "$":
            if text.startswith("$(", i):
                break
            chars.append(char)
            where.append(i)
            i += 1
        elif char == "\\":
            if i + 1 < n:
                chars.append(text[i + 1])
                where.append(i + 1)
            i += 2
        elif char == "'":
            close = text.find("'", i + 1)
            if close < 0:
                chars.append(char)
                where.append(i)
                i += 1
            else:
                chars.append(text[i + 1 : close])
                where.extend(range(i + 1, close))
                i = close + 1
        elif char == '"':
            i = _read_double_quoted(text, i, chars, where)
        else:  # a character that ends the word
            break
    return Word("".join(chars), tuple(where)), i


def _read_double_quoted(text: str, i: int, chars: list[str], where: list[int]) -> int:
    inner: list[str] = []
    inner_where: list[int] = []
    j = i + 1
    n = len(text)
    while j < n and text[j] != '"':
        if text[j] == "\\" and j + 1 < n and text[j + 1] in _DOUBLE_QUOTED_ESCAPES:
            inner.append(text[j + 1])
            inner_where.append(j + 1)
            j += 2
        else:
            inner.append(text[j])
            inner_where.append(j)
            j += 1
    if j >= n:  # unterminated: the quote is a character
        chars.append('"')
        where.append(i)
        return i + 1
    chars.extend(inner)
    where.extend(inner_where)
    return j + 1
