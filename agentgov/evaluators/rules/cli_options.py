"""Parse one command's options the way getopt_long and git's parse-options read them.

Rules must read ``git commit -nm msg`` as no-verify and ``git commit -mn`` as a message "n",
so option parsing knows which options take a value:

- short options cluster (``-rf``); one that takes a value consumes the rest of its word or,
  when nothing is left, the next word (``-mfoo``, ``-m foo``);
- long options take ``--opt=value`` or, when they require a value, the next word, and may be
  abbreviated to an unambiguous prefix of a known name (``--forc`` is ``--force`` when no
  other known option starts with ``forc``);
- ``--`` ends the options; options may follow operands (GNU and git both permute).

A word the analyser could not resolve (``"$FLAGS"``) is an operand: its options cannot be
known, and the analyser's ``dynamic`` class covers that case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from agentgov.evaluators.shell.model import Word


@dataclass(frozen=True)
class OptionSpec:
    """What a command's options look like.

    - ``short_value``: short options that take a value (attached or the next word).
    - ``short_attached``: short options with an optional value that must be attached
      (``-S<keyid>``, ``-C<n>``).
    - ``long_names``: known long options (no dashes), for resolving abbreviations.
    - ``long_value``: long options that require a value (``--message msg``).
    """

    short_value: str = ""
    short_attached: str = ""
    long_names: frozenset[str] = frozenset()
    long_value: frozenset[str] = frozenset()


# Option and ParsedOptions are named tuples rather than frozen dataclasses: every rule parses
# options on the hot path, and a frozen dataclass's ``__init__`` (one ``object.__setattr__``
# per field) costs several times a tuple's. They are as immutable, and never leave the rules.
class Option(NamedTuple):
    """One option as read: ``name`` is ``-f`` or ``--force`` (abbreviations resolved)."""

    name: str
    value: str | None
    word: Word


class ParsedOptions(NamedTuple):
    """A command's options and operands. ``dashdash`` is the index in ``operands`` of the
    first operand that followed ``--``, or None when there was no ``--``."""

    options: tuple[Option, ...]
    operands: tuple[Word, ...]
    dashdash: int | None = None

    def has(self, *names: str) -> bool:
        # A loop, not any() over a generator: every rule asks this, and the generator
        # costs more than the few options it looks at.
        for option in self.options:  # noqa: SIM110
            if option.name in names:
                return True
        return False

    def values(self, *names: str) -> tuple[str, ...]:
        return tuple(
            option.value
            for option in self.options
            if option.name in names and option.value is not None
        )

    def last(self, *names: str) -> Option | None:
        found = [option for option in self.options if option.name in names]
        return found[-1] if found else None


def names(text: str) -> frozenset[str]:
    """Option names from a whitespace-separated list (keeps long tables readable)."""
    return frozenset(text.split())


def is_option_word(word: Word) -> bool:
    """True when the word is an option. An expansion the analyser resolved (``F=-f; git
    push $F``) counts by its value; one it could not keeps its ``$`` and is an operand."""
    text = word.value
    return len(text) > 1 and text.startswith("-")


def canonical_long(name: str, known: frozenset[str]) -> str:
    """Resolve an abbreviated long option name against ``known`` (names without dashes)."""
    if name in known or not known:
        return name
    candidates = [candidate for candidate in known if candidate.startswith(name)]
    return candidates[0] if len(candidates) == 1 else name


def parse_options(
    words: tuple[Word, ...], spec: OptionSpec, *, operand_ends: bool = False
) -> ParsedOptions:
    """Split ``words`` (the arguments after the program or subcommand) per ``spec``.

    With ``operand_ends``, options stop at the first operand, as ``docker run IMAGE CMD``
    reads them (every later word is an operand).
    """
    options: list[Option] = []
    operands: list[Word] = []
    dashdash: int | None = None
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        text = word.value
        if dashdash is not None or len(text) < 2 or text[0] != "-":  # ``is_option_word``
            operands.append(word)
            if operand_ends:
                operands.extend(words[index:])
                break
            continue
        if text == "--":
            dashdash = len(operands)
            continue
        if text.startswith("--"):
            raw_name, equals, value = text[2:].partition("=")
            name = canonical_long(raw_name, spec.long_names)
            if equals:
                options.append(Option("--" + name, value, word))
            elif name in spec.long_value and index < len(words):
                options.append(Option("--" + name, words[index].value, word))
                index += 1
            else:
                options.append(Option("--" + name, None, word))
            continue
        index = _short_cluster(word, words, index, spec, options)
    return ParsedOptions(tuple(options), tuple(operands), dashdash)


def _short_cluster(
    word: Word, words: tuple[Word, ...], index: int, spec: OptionSpec, out: list[Option]
) -> int:
    body = word.value[1:]
    for position, char in enumerate(body):
        rest = body[position + 1 :]
        if char in spec.short_value:
            if rest:
                out.append(Option("-" + char, rest, word))
            elif index < len(words):
                out.append(Option("-" + char, words[index].value, word))
                index += 1
            else:
                out.append(Option("-" + char, None, word))
            return index
        if char in spec.short_attached:
            out.append(Option("-" + char, rest or None, word))
            return index
        out.append(Option("-" + char, None, word))
    return index
