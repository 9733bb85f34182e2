"""Parsing a shell string with tree-sitter-bash, with its heredoc quirks worked around.

tree-sitter-bash attaches whatever follows a heredoc's delimiter on the same line to the
heredoc node (``cat <<EOF | sh`` puts ``| sh`` inside the redirect; ``cat <<EOF; ls`` is an
ERROR). ``parse`` therefore parses twice when the source has heredocs: the second time with
each ``<<DELIM`` replaced by a same-length ``<___`` redirect and each body blanked, so the
command lines parse as ordinary commands while every byte offset stays the same. The
placeholder redirects are mapped back to their heredocs by offset.
"""

from __future__ import annotations

import functools
import importlib.machinery
import importlib.util
import os
import re
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from tree_sitter import Node, Parser, Tree

_HEREDOC_OPERATOR = re.compile(rb"(?<!<)<<(?!<)")
_PLACEHOLDER = b"<"
_ASCII_ONLY = bytes(range(128)) + b"x" * 128
_MAX_STRING_FIXES = 16
_LINE_START_ESCAPE = re.compile(rb"\n\\")
_TEXT_NODES = frozenset(
    {
        "string",
        "raw_string",
        "ansi_c_string",
        "translated_string",
        "string_content",
        "heredoc_body",
        "heredoc_content",
        "comment",
    }
)
# A backslash (not itself escaped) before a blank.
_ESCAPED_BLANK = re.compile(rb"(?<!\\)((?:\\\\)*)\\[ \t]")
# A heredoc delimiter word ends at an unquoted blank or operator character.
_DELIMITER_END = frozenset(" \t\n;&|<>()")


@functools.cache
def parser() -> Parser:
    """The one tree-sitter parser, built on first use (importing the grammar costs)."""
    # Deferred: importing the grammar is not free and `import agentgov` must stay cheap.
    import tree_sitter

    return tree_sitter.Parser(tree_sitter.Language(_bash_grammar()))


def _bash_grammar() -> object:
    """``tree_sitter_bash.language()``, loaded from the package's compiled binding without
    running the package's ``__init__``: that imports ``importlib.resources`` (for query
    files the analyser never reads), milliseconds on every call of the hook. Where the
    binding cannot be found that way, the package is imported as usual."""
    name = "tree_sitter_bash._binding"
    loaded = sys.modules.get(name)
    if loaded is None:
        package = importlib.util.find_spec("tree_sitter_bash")
        folders = package.submodule_search_locations if package is not None else None
        for folder in folders or ():
            for suffix in importlib.machinery.EXTENSION_SUFFIXES:
                path = f"{folder}/_binding{suffix}"
                spec = importlib.util.spec_from_file_location(name, path)
                if spec is None or spec.loader is None or not os.path.isfile(path):
                    continue
                loaded = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(loaded)
                # A later ``import tree_sitter_bash`` finds this module, not a second copy.
                sys.modules[name] = loaded
                break
            if loaded is not None:
                break
    if loaded is None:
        import tree_sitter_bash

        return tree_sitter_bash.language()
    return loaded.language()


@dataclass(frozen=True)
class Heredoc:
    """One heredoc: its operator (``<<`` or ``<<-``), body text, and the body node (from the
    first parse) whose substitutions the outer shell runs when the delimiter is unquoted."""

    op: str
    body: str
    body_node: Node | None
    expands: bool


class Parsed(NamedTuple):
    """A parsed source: ``src`` is the bytes every node's offsets index into.

    A named tuple rather than a frozen dataclass: it is built on every call of the hook's
    hot path, and a frozen dataclass's ``__init__`` costs a microsecond.
    """

    root: Node
    src: bytes
    heredocs: dict[int, Heredoc]
    trees: tuple[Tree, ...]
    problems: tuple[str, ...] = ()


def parse(text: str) -> Parsed:
    """Parse ``text``; heredocs are found by offset in ``Parsed.heredocs``."""
    src = text.encode("utf-8", "surrogatepass")
    if not src.endswith(b"\n"):
        # A final newline avoids a slow ambiguous parse of pipelines at end of input
        # (`a | b | c` takes 30 us without it, 3 us with it) and changes no offsets.
        src += b"\n"
    # tree-sitter-bash's scanner can crash the process on some non-ASCII input (`{`, a
    # private-use character, a letter: a segfault one run in a few). Bash's syntax is all
    # ASCII, so the parser is given every non-ASCII byte as `x`: same offsets, same
    # structure, and every value is still read from the original bytes.
    parsed_bytes = src if src.isascii() else src.translate(_ASCII_ONLY)
    if b"\\ " in parsed_bytes or b"\\\t" in parsed_bytes:
        # tree-sitter-bash drops an escaped blank that is not inside a word (`echo \ `,
        # `'a'\ b`); bash reads it as a word character. Show it `\x` instead: the same role
        # wherever it is (quoted or not), and the value still comes from the original.
        parsed_bytes = _ESCAPED_BLANK.sub(rb"\1\\x", parsed_bytes)
    tree = parser().parse(parsed_bytes)
    notes: tuple[str, ...] = ()
    if b"\n\\" in parsed_bytes:
        tree, parsed_bytes = _fix_line_start_escapes(tree, parsed_bytes)
    if b"$'" in parsed_bytes:
        tree, parsed_bytes, notes = _fix_ansi_c_strings(tree, parsed_bytes)
    if _HEREDOC_OPERATOR.search(src) is None:
        return Parsed(tree.root_node, src, {}, (tree,), notes)
    heredocs, patched = _heredocs(tree.root_node, src, parsed_bytes)
    if not heredocs:
        return Parsed(tree.root_node, src, {}, (tree,), notes)
    second = parser().parse(patched)
    return Parsed(second.root_node, src, heredocs, (tree, second), notes)


def _fix_line_start_escapes(tree: Tree, data: bytes) -> tuple[Tree, bytes]:
    """Make tree-sitter end a command at the newline before a line that starts with a
    backslash.

    tree-sitter-bash 0.25 does not end a command there: it reads ``ls\\n\\\\rm -rf /``
    as ``ls`` with the arguments ``\\nrm -rf /`` (and ``ls\\n\\\\\\n\\\\rm`` likewise).
    Bash runs ``ls``, then ``rm``. Where such a newline is in code (not in a string, a
    comment or a heredoc), the backslash after it is shown to tree-sitter as a blank (and
    an escaped quote after it as ``%``, so that no string opens where bash has none). The
    values still come from the original bytes, without that backslash.
    """
    for _ in range(_MAX_STRING_FIXES):
        patched = bytearray(data)
        changed = False
        for match in _LINE_START_ESCAPE.finditer(data):
            newline = match.start()
            if not _in_code(tree.root_node, newline):
                continue
            backslash = newline + 1
            patched[backslash] = 0x20
            if data[backslash + 1 : backslash + 2] in (b"'", b'"', b"`"):
                patched[backslash + 1] = (
                    0x25  # "%": no quote, and no name (`\'X=1` is no assignment)
                )
            changed = True
        if not changed:
            return tree, data
        data = bytes(patched)
        tree = parser().parse(data)
    return tree, data


def _in_code(root: Node, offset: int) -> bool:
    """Whether the byte at ``offset`` is shell code rather than quoted or commented text."""
    node: Node | None = root.descendant_for_byte_range(offset, offset + 1)
    while node is not None:
        kind = node.type
        if kind in _TEXT_NODES:
            return False
        if kind in ("command_substitution", "process_substitution", "program"):
            return True
        node = node.parent
    return True


def _fix_ansi_c_strings(tree: Tree, data: bytes) -> tuple[Tree, bytes, tuple[str, ...]]:
    """Make tree-sitter end every ``$'...'`` where bash ends it.

    tree-sitter-bash 0.25 misreads ``\\\\`` before the closing quote: in
    ``echo $'\\\\' ; rm -rf / ; echo '`` it runs the string on to the last quote and hides
    the ``rm``. For the leftmost string it misreads, the content bash sees is shown as
    ``x``s (nothing tree-sitter can misread) and the source parsed again.
    """
    for _ in range(_MAX_STRING_FIXES):
        wrong = _misread_ansi_c(tree.root_node, data)
        if wrong is None:
            return tree, data, ()
        start, end = wrong
        patched = bytearray(data)
        for offset in range(start, end):
            if patched[offset] != 0x0A:
                patched[offset] = 0x78  # "x"
        data = bytes(patched)
        tree = parser().parse(data)
    return tree, data, ("$'...' strings tree-sitter could not read",)


def _misread_ansi_c(root: Node, data: bytes) -> tuple[int, int] | None:
    """The content range of the leftmost ``$'...'`` tree-sitter ends in the wrong place."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type != "ansi_c_string":
            stack.extend(reversed(node.children))
            continue
        start = node.start_byte + 2
        end = _ansi_c_end(data, start)
        if end != node.end_byte:
            # Unterminated in bash: hide the rest, which makes it an error for tree-sitter.
            return start, (len(data) - 1 if end is None else end - 1)
    return None


def _ansi_c_end(data: bytes, start: int) -> int | None:
    """Where bash ends a ``$'`` string whose content starts at ``start`` (after the quote)."""
    i = start
    length = len(data)
    while i < length:
        char = data[i]
        if char == 0x5C:  # a backslash escapes the next character, a quote included
            i += 2
        elif char == 0x27:
            return i + 1
        else:
            i += 1
    return None


def _heredocs(root: Node, src: bytes, parsed_bytes: bytes) -> tuple[dict[int, Heredoc], bytes]:
    found: dict[int, Heredoc] = {}
    patched = bytearray(parsed_bytes)
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type != "heredoc_start":
            stack.extend(node.children)
            continue
        operator = node.prev_sibling
        if operator is None or operator.type not in ("<<", "<<-"):
            continue
        delimiter = _delimiter(src[node.start_byte : node.end_byte].decode("utf-8", "replace"))
        if not delimiter:
            continue
        body_node = node.next_sibling
        while body_node is not None and body_node.type != "heredoc_body":
            body_node = body_node.next_sibling
        start = operator.start_byte
        end = node.start_byte + len(delimiter.encode("utf-8"))
        patched[start:end] = _PLACEHOLDER + b"_" * (end - start - len(_PLACEHOLDER))
        body = ""
        if body_node is not None:
            body_start = body_node.start_byte
            body = src[body_start : body_node.end_byte].decode("utf-8", "replace")
            terminator = src.find(b"\n", body_node.end_byte)
            body_end = len(src) if terminator < 0 else terminator
            for offset in range(body_start, body_end):
                if patched[offset] != 0x0A:
                    patched[offset] = 0x20
        op = operator.type
        if op == "<<-":
            body = "\n".join(line.lstrip("\t") for line in body.split("\n"))
        expands = not any(quote in delimiter for quote in "'\"\\")
        found[start] = Heredoc(op, body, body_node, expands)
    return found, bytes(patched)


def _delimiter(text: str) -> str:
    """The delimiter word at the start of a heredoc_start node's text."""
    quote = ""
    escaped = False
    for position, char in enumerate(text):
        if escaped:
            escaped = False
        elif quote:
            if char == quote:
                quote = ""
        elif char == "\\":
            escaped = True
        elif char in "'\"":
            quote = char
        elif char in _DELIMITER_END:
            return text[:position]
    return text


def problems(root: Node, src: bytes, limit: int = 20) -> list[str]:
    """Fragments tree-sitter could not parse: ERROR nodes and the statements missing a
    token, at most ``limit`` of them, each cut to 200 characters."""
    found: list[str] = []
    # Each node travels with its parent: tree-sitter's ``Node.parent`` crashes the process
    # (SIGSEGV) on a tree nested thousands deep (``echo $($($(...)))`` missing a token).
    stack: list[tuple[Node, Node]] = [(root, root)]
    while stack and len(found) < limit:
        node, parent = stack.pop()
        if not node.has_error:
            continue
        if node.is_error:
            found.append(src[node.start_byte : node.end_byte].decode("utf-8", "replace")[:200])
            continue
        if node.is_missing:
            text = src[parent.start_byte : parent.end_byte].decode("utf-8", "replace")
            found.append(f"{text[:200]} (missing {node.type!r})")
            continue
        stack.extend((child, node) for child in reversed(node.children))
    return found
