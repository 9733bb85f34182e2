"""Edit a JSON text in place: add and remove array items and object members, and keep
every other byte.

A person's ``settings.json`` has its own key order, indentation, inline arrays, escapes,
separators and final newline; loading and dumping it again rewrites all of them. Installing
and uninstalling agentgov must change only what agentgov adds, so this module finds where
each value sits in the text and splices: a new item goes after the last one with the
spacing its container already uses, and removing it takes away exactly the comma and
spacing that the insertion added. The text must be valid JSON (the caller checks it with
``json.loads`` and refuses it otherwise).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class Node:
    """A value and where it is (``start:end``, brackets included). Objects have ``keys``
    and ``key_starts``; objects and arrays have ``children``."""

    kind: str  # "object", "array" or "scalar"
    start: int
    end: int
    value: Any = None
    keys: tuple[str, ...] = ()
    key_starts: tuple[int, ...] = ()
    children: tuple[Node, ...] = ()

    def member(self, key: str) -> Node | None:
        """The value of ``key`` (the last one, as json.loads reads duplicates)."""
        index = self.index(key)
        return None if index is None else self.children[index]

    def index(self, key: str) -> int | None:
        found = [at for at, name in enumerate(self.keys) if name == key]
        return found[-1] if found else None

    def item_start(self, index: int) -> int:
        return self.key_starts[index] if self.kind == "object" else self.children[index].start


def parse(text: str) -> Node:
    """The tree of ``text``, a valid JSON document."""
    node, _ = _value(text, _skip(text, 0))
    return node


def _skip(text: str, at: int) -> int:
    match = _WHITESPACE.match(text, at)
    return at if match is None else match.end()


def _value(text: str, at: int) -> tuple[Node, int]:
    opening = text[at]
    if opening not in "{[":
        value, end = _DECODER.raw_decode(text, at)
        return Node("scalar", at, end, value), end
    closing = "}" if opening == "{" else "]"
    keys: list[str] = []
    key_starts: list[int] = []
    children: list[Node] = []
    cursor = _skip(text, at + 1)
    while text[cursor] != closing:
        if opening == "{":
            key_starts.append(cursor)
            key, cursor = _DECODER.raw_decode(text, cursor)
            keys.append(key)
            cursor = _skip(text, _skip(text, cursor) + 1)  # past the colon
        child, cursor = _value(text, cursor)
        children.append(child)
        cursor = _skip(text, cursor)
        if text[cursor] == ",":
            cursor = _skip(text, cursor + 1)
    kind = "object" if opening == "{" else "array"
    node = Node(kind, at, cursor + 1, None, tuple(keys), tuple(key_starts), tuple(children))
    return node, cursor + 1


@dataclass(frozen=True)
class Style:
    """How the document is written, so that what is added looks like what is there."""

    indent: str
    key_separator: str
    ascii_only: bool
    multiline: bool
    item_separator: str = ", "  # between items on one line


def style(text: str) -> Style:
    indent = "  "
    for line in text.splitlines()[1:]:
        stripped = line.lstrip(" \t")
        if stripped and stripped != line:
            indent = line[: len(line) - len(stripped)]
            break
    separator = re.search(r'"([ \t]*:[ \t]*)(?=\S)', text)
    ascii_only = "\\u" in text and all(ord(char) < 128 for char in text)
    multiline = "\n" in text.strip()
    key_separator = ": " if separator is None else separator.group(1)
    item_separator = ", " if re.search(r",[ \t]", text) or "," not in text else ","
    return Style(indent, key_separator, ascii_only, multiline, item_separator)


def _dump(value: Any, how: Style, prefix: str) -> str:
    if not how.multiline:
        separators = (how.item_separator, how.key_separator)
        return json.dumps(value, ensure_ascii=how.ascii_only, separators=separators)
    text = json.dumps(
        value,
        indent=how.indent,
        ensure_ascii=how.ascii_only,
        separators=(",", how.key_separator),
    )
    return text.replace("\n", "\n" + prefix)


def _line_indent(text: str, at: int) -> str:
    line_start = text.rfind("\n", 0, at) + 1
    head = text[line_start:at]
    return head if not head.strip() else head[: len(head) - len(head.lstrip(" \t"))]


def _entry(key: str | None, value: Any, how: Style, prefix: str) -> str:
    dumped = _dump(value, how, prefix)
    if key is None:
        return dumped
    return json.dumps(key, ensure_ascii=how.ascii_only) + how.key_separator + dumped


def append(text: str, container: Node, entries: Sequence[tuple[str | None, Any]]) -> str:
    """``text`` with ``entries`` (``(key, value)`` for an object, ``(None, value)`` for an
    array) added at the end of ``container``."""
    if not entries:
        return text
    how = style(text)
    if container.children:
        last = len(container.children) - 1
        first_start = container.item_start(0)
        multiline = "\n" in text[container.start : first_start]
        if len(container.children) > 1:
            second = container.item_start(1)
            gap = text[container.children[0].end : second]
            separator = gap
        else:
            separator = ",\n" + _line_indent(text, first_start) if multiline else how.item_separator
        prefix = _line_indent(text, container.item_start(last)) if multiline else ""
        inline = how if multiline else replace(how, multiline=False)
        added = "".join(separator + _entry(k, v, inline, prefix) for k, v in entries)
        at = container.children[last].end
        return text[:at] + added + text[at:]
    # An empty container: lay the entries out one a line below it (inline in a one-line
    # document, unless it is the whole document).
    if not text[: container.start].strip():
        how = replace(how, multiline=True)
    if how.multiline:
        outer = _line_indent(text, container.start)
        inner = outer + how.indent
        body = (",\n" + inner).join(_entry(k, v, how, inner) for k, v in entries)
        filled = "\n" + inner + body + "\n" + outer
    else:
        filled = how.item_separator.join(_entry(k, v, how, "") for k, v in entries)
    return text[: container.start + 1] + filled + text[container.end - 1 :]


def remove(text: str, container: Node, index: int) -> str:
    """``text`` without item ``index`` of ``container``, and without the comma and spacing
    that join it to its neighbours (an inserted item's own, when it was appended)."""
    count = len(container.children)
    if count == 1:
        return text[: container.start + 1] + text[container.end - 1 :]
    if index == count - 1:
        start = container.children[index - 1].end
        return text[:start] + text[container.children[index].end :]
    return text[: container.item_start(index)] + text[container.item_start(index + 1) :]
