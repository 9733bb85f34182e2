"""Shell words: quote removal, ANSI-C escapes, tilde and variable expansion, globs, braces.

``read_word`` turns one tree-sitter word node into the ``Word`` values the shell would pass
to a program. It never runs anything: ``$(...)`` and ``<(...)`` nodes are handed back to the
caller (the walker analyses them as commands) and make the word non-static. Variables
resolve only from the ``Scope``: ``$HOME``, ``$PWD`` and static assignments seen earlier.
"""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING

from agentgov.evaluators.shell.model import Word

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tree_sitter import Node

SUBSTITUTIONS = frozenset({"command_substitution", "process_substitution"})

# A word made only of these characters needs no quote removal, expansion or glob check.
_PLAIN = re.compile(r"[^\\~*?\[{$'\"`]*\Z")
_GLOB = re.compile(r"[*?\[]")
_DQ_ESCAPE = re.compile(r"\\([$`\"\\\n])")
_UNQUOTED_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_BRACED_NAME = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}\Z")
_SEQUENCE = re.compile(r"(-?\d+)\.\.(-?\d+)(?:\.\.(-?\d+))?\Z|([A-Za-z])\.\.([A-Za-z])\Z")

# Brace expansion beyond this many words is left unexpanded (and marked as a glob) so that
# `{a,b}{a,b}...` cannot grow exponentially.
MAX_BRACE_WORDS = 64
# Longer words are not brace-expanded (the expander is quadratic in the worst case).
MAX_BRACE_LENGTH = 2048


_new = object.__new__

DESCRIPTOR = "&"
"""Scope key prefix for the file ``exec N< FILE`` opened on descriptor N (``&3``): not a
valid variable name, so it cannot clash, and scopes copy and merge it like a variable."""


def new_word(value: str, raw: str, static: bool = True, glob: bool = False) -> Word:
    """``Word(value, raw, static, glob)``, built without the frozen dataclass ``__init__``.

    That ``__init__`` costs about 1 us (one ``object.__setattr__`` per field), as much as
    the rest of reading a word; the analyser builds several per command on the hook's hot
    path. The result is an ordinary ``Word`` (equality, hash and repr are unchanged);
    ``tests/shell/test_analyze.py`` checks it sets exactly the dataclass's fields.
    """
    word = _new(Word)
    fields = word.__dict__
    fields["value"] = value
    fields["raw"] = raw
    fields["static"] = static
    fields["glob"] = glob
    return word


class Scope:
    """What the analyser knows at one point of a shell's run.

    ``variables`` holds only variables with a known static value; ``taint`` maps a variable
    to the commands whose output it holds (``X=$(curl ...)``). Read them freely; change
    them only through ``assign``, ``forget`` and ``taint_with``.
    """

    __slots__ = ("_shared", "cwd", "taint", "variables")

    def __init__(
        self,
        cwd: str | None,
        variables: dict[str, str],
        taint: dict[str, tuple[int, ...]] | None = None,
    ) -> None:
        self.cwd = cwd
        self.variables = variables
        self.taint: dict[str, tuple[int, ...]] = taint if taint is not None else {}
        self._shared = False

    def copy(self) -> Scope:
        """A scope for a subshell: changes made in it do not leak back.

        Copy-on-write: every pipeline stage and substitution gets a copy, and almost none
        assigns anything, so the dictionaries are shared until one side writes.
        """
        twin = Scope(self.cwd, self.variables, self.taint)
        twin._shared = self._shared = True
        return twin

    def _own(self) -> None:
        if self._shared:
            self.variables = dict(self.variables)
            self.taint = dict(self.taint)
            self._shared = False

    def lookup(self, name: str) -> str | None:
        """The static value of ``$name``, or None when it is not known."""
        if name == "PWD":
            return self.cwd
        return self.variables.get(name)

    def assign(self, name: str, word: Word, sources: tuple[int, ...] = ()) -> None:
        """Record ``name=word``; a non-static value makes the variable unknown."""
        self._own()
        if word.static:
            self.variables[name] = word.value
        else:
            self.variables.pop(name, None)
        if sources:
            self.taint[name] = sources
        else:
            self.taint.pop(name, None)

    def forget(self, name: str) -> None:
        """The variable now holds something the analyser cannot know (``read X``, ``for``)."""
        self._own()
        self.variables.pop(name, None)
        self.taint.pop(name, None)

    def taint_with(self, name: str, sources: tuple[int, ...]) -> None:
        """The variable holds the output of the commands ``sources``."""
        self._own()
        self.taint[name] = sources

    def replace(self, variables: dict[str, str], taint: dict[str, tuple[int, ...]]) -> None:
        """Take new dictionaries (owned by this scope from now on)."""
        self.variables = variables
        self.taint = taint
        self._shared = False


class WordReader:
    """Reads word nodes of one source; collects the substitutions and variables they use."""

    __slots__ = ("nested", "references", "scope", "src")

    def __init__(self, src: bytes, scope: Scope) -> None:
        self.src = src
        self.scope = scope
        self.nested: list[Node] = []  # $( ), ` `, <( ), >( ) nodes, in source order
        self.references: list[str] = []  # variables referenced but not resolved

    def text(self, node: Node) -> str:
        """The source text of ``node``."""
        return self.src[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def read(self, node: Node) -> list[Word]:
        """The words ``node`` becomes: one, or several after brace expansion."""
        raw = self.text(node)
        if node.type == "word" and _PLAIN.match(raw):
            return [new_word(raw, raw)]
        parts: list[tuple[str, bool]] = []  # (text, quoted)
        static = self._collect(node, parts, first=True)
        return self._finish(raw, parts, static)

    def read_joined(self, nodes: Sequence[Node]) -> list[Word]:
        """The words of nodes that form one shell word, with the backslash escapes
        tree-sitter left between them."""
        raw = self.src[nodes[0].start_byte : nodes[-1].end_byte].decode("utf-8", "replace")
        parts: list[tuple[str, bool]] = []
        static = True
        previous_end = -1
        for position, node in enumerate(nodes):
            if (
                node.type == "$"
                and position + 1 < len(nodes)
                and nodes[position + 1].type == "string"
            ):
                # tree-sitter splits `$"text"` (a translated string, value `text`).
                previous_end = node.end_byte
                continue
            if position and node.start_byte > previous_end:
                gap = self.src[previous_end : node.start_byte].decode("utf-8", "replace")
                parts.extend((char, True) for char in gap[1::2] if char != "\n")
            static = self._collect(node, parts, first=position == 0) and static
            previous_end = node.end_byte
        return self._finish(raw, parts, static)

    def _finish(self, raw: str, parts: list[tuple[str, bool]], static: bool) -> list[Word]:
        value = "".join(text for text, _ in parts)
        glob = any(not quoted and _GLOB.search(text) for text, quoted in parts)
        if static and any(not quoted and "{" in text for text, quoted in parts):
            expanded = expand_braces(parts) if len(value) <= MAX_BRACE_LENGTH else None
            if expanded is None:
                # Too many words to list: what it names is a pattern, like a glob.
                glob = True
            elif len(expanded) > 1 or expanded[0] != value:
                return [new_word(each, raw, True, glob) for each in expanded]
        return [new_word(value, raw, static, glob)]

    def read_one(self, node: Node) -> Word:
        """One word, braces left unexpanded (assignment values are not brace-expanded)."""
        raw = self.text(node)
        if node.type == "word" and _PLAIN.match(raw):
            return new_word(raw, raw)
        parts: list[tuple[str, bool]] = []
        static = self._collect(node, parts, first=True)
        value = "".join(text for text, _ in parts)
        glob = any(not quoted and _GLOB.search(text) for text, quoted in parts)
        return new_word(value, raw, static, glob)

    def _collect(self, node: Node, parts: list[tuple[str, bool]], *, first: bool) -> bool:
        """Append ``node``'s pieces to ``parts``; return whether they are all static."""
        kind = node.type
        if kind == "word":
            return self._unquoted(self.text(node), parts, first=first)
        if kind == "concatenation":
            static = True
            children = node.children
            for position, child in enumerate(children):
                # `~` expands only when nothing quoted or expanded comes before the first
                # unquoted slash: `~"/x"` and `~$X` stay literal.
                tilde = first and position == 0 and (len(children) == 1 or "/" in self.text(child))
                static = self._collect(child, parts, first=tilde) and static
            return static
        if kind == "raw_string":
            parts.append((self.text(node)[1:-1], True))
            return True
        if kind == "ansi_c_string":
            parts.append((decode_ansi_c(self.text(node)[2:-1]), True))
            return True
        if kind in ("string", "translated_string"):
            return self._double_quoted(node, parts)
        if kind in ("simple_expansion", "expansion"):
            return self._expansion(node, parts, quoted=False)
        if kind in SUBSTITUTIONS:
            self.nested.append(node)
            parts.append((self.text(node), True))
            return False
        if kind == "arithmetic_expansion":
            self._find_nested(node)
            parts.append((self.text(node), True))
            return False
        if not node.is_named:
            # Tokens such as `\$` that tree-sitter leaves outside a word node.
            return self._unquoted(self.text(node), parts, first=first)
        if kind in ("number", "variable_name"):
            parts.append((self.text(node), False))
            return True
        if kind == "brace_expression":
            parts.append((self.text(node), False))
            return True
        # Anything else (ERROR, extglob patterns, ...) keeps its text but is not trusted.
        self._find_nested(node)
        parts.append((self.text(node), False))
        return False

    def _unquoted(self, text: str, parts: list[tuple[str, bool]], *, first: bool) -> bool:
        static = True
        if first and text.startswith("~"):
            head, slash, rest = text.partition("/")
            home = self.scope.lookup("HOME")
            if head == "~" and home is not None:
                parts.append((home, True))
                text = slash + rest
            else:
                # ~user and an unknown $HOME cannot be resolved.
                static = False
        if "\\" not in text:
            parts.append((text, False))
            return static
        # Split into unquoted runs and backslash-escaped characters (which are quoted);
        # a backslash-newline is a line continuation and disappears.
        pieces = _UNQUOTED_ESCAPE.split(text)
        for position, piece in enumerate(pieces):
            if position % 2:
                if piece != "\n":
                    parts.append((piece, True))
            elif piece:
                parts.append((piece, False))
        return static

    def _double_quoted(self, node: Node, parts: list[tuple[str, bool]]) -> bool:
        # tree-sitter leaves line breaks (and the blanks before the closing quote) out of
        # its string_content nodes: the text between the children is content too.
        static = True
        children = node.children
        if not children:
            return True
        position = children[0].end_byte  # after the opening `"` (or `$"`)
        for child in children[1:]:
            kind = child.type
            if child.start_byte > position:
                self._quoted_text(self.src[position : child.start_byte], parts)
            position = child.end_byte
            if kind == "string_content":
                self._quoted_text(self.src[child.start_byte : child.end_byte], parts)
            elif kind in ("simple_expansion", "expansion"):
                static = self._expansion(child, parts, quoted=True) and static
            elif kind in SUBSTITUTIONS:
                self.nested.append(child)
                parts.append((self.text(child), True))
                static = False
            elif kind == "arithmetic_expansion" or child.is_named:
                self._find_nested(child)
                parts.append((self.text(child), True))
                static = False
            elif kind == '"' and child is children[-1]:
                self._quoted_text(self.src[child.start_byte : child.end_byte - 1], parts)
            else:
                parts.append((self.text(child), True))
        return static

    def _quoted_text(self, raw: bytes, parts: list[tuple[str, bool]]) -> None:
        if raw:
            text = raw.decode("utf-8", "replace")
            if "\\" in text:
                text = _DQ_ESCAPE.sub(_dq_unescape, text)
            parts.append((text, True))

    def _expansion(self, node: Node, parts: list[tuple[str, bool]], *, quoted: bool) -> bool:
        text = self.text(node)
        if node.type == "simple_expansion":
            name = text[1:]
        else:
            match = _BRACED_NAME.match(text)
            name = match.group(1) if match else ""
        value = self.scope.lookup(name) if name else None
        if value is not None:
            parts.append((value, True))
            return True
        if name:
            self.references.append(name)
        else:
            self._find_nested(node)
        parts.append((text, True))
        return False

    def _find_nested(self, node: Node) -> None:
        """Collect substitutions and variable names anywhere below ``node``.

        An explicit stack: ``${a:-${b:-${c:-...}}}`` may nest thousands deep.
        """
        found: list[Node] = []
        stack = list(reversed(node.children))
        while stack:
            child = stack.pop()
            kind = child.type
            if kind in SUBSTITUTIONS:
                found.append(child)
            elif kind == "variable_name":
                self.references.append(self.text(child))
            else:
                stack.extend(reversed(child.children))
        self.nested.extend(found)


def _dq_unescape(match: re.Match[str]) -> str:
    char = match.group(1)
    return "" if char == "\n" else char


_ANSI_SIMPLE = {
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}
_HEX = frozenset("0123456789abcdefABCDEF")
_OCTAL = frozenset("01234567")


def decode_ansi_c(body: str) -> str:
    """The value of ``$'body'``: backslash escapes as bash's ANSI-C quoting defines them."""
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    length = len(body)
    while i < length:
        char = body[i]
        if char != "\\" or i + 1 >= length:
            out.append(char)
            i += 1
            continue
        code = body[i + 1]
        i += 2
        if code in _ANSI_SIMPLE:
            out.append(_ANSI_SIMPLE[code])
        elif code in _OCTAL:
            end = i
            while end < length and end < i + 2 and body[end] in _OCTAL:
                end += 1
            out.append(chr(int(code + body[i:end], 8) & 0xFF))
            i = end
        elif code in "xuU":
            limit = {"x": 2, "u": 4, "U": 8}[code]
            end = i
            while end < length and end < i + limit and body[end] in _HEX:
                end += 1
            if end == i:
                out.append("\\" + code)
            else:
                out.append(_safe_chr(int(body[i:end], 16)))
                i = end
        elif code == "c" and i < length:
            out.append(chr(ord(body[i]) & 0x1F))
            i += 1
        else:
            out.append("\\" + code)
    return "".join(out)


def _safe_chr(number: int) -> str:
    try:
        return chr(number)
    except (ValueError, OverflowError):
        return "\ufffd"


def expand_braces(parts: list[tuple[str, bool]]) -> list[str] | None:
    """Bash brace expansion of a static word (``/{etc,usr}`` -> ``/etc``, ``/usr``).

    Quoted characters never expand. Returns None when the result would exceed
    ``MAX_BRACE_WORDS`` words.
    """
    # Escape quoted characters so that the expander sees them as literals.
    pattern = "".join(
        "".join("\\" + char for char in text) if quoted else text for text, quoted in parts
    )
    results: list[str] = []
    pending = [pattern]
    while pending:
        current = pending.pop()
        found = _first_brace(current)
        if found is None:
            results.append(current)
            if len(results) > MAX_BRACE_WORDS:
                return None
            continue
        start, end, alternatives = found
        if len(pending) + len(alternatives) + len(results) > MAX_BRACE_WORDS:
            return None
        prefix, suffix = current[:start], current[end + 1 :]
        pending.extend(prefix + each + suffix for each in reversed(alternatives))
    return [_UNQUOTED_ESCAPE.sub(r"\1", each) for each in results]


def _first_brace(pattern: str) -> tuple[int, int, list[str]] | None:
    """The leftmost expandable ``{...}``: its bounds and alternatives (``{a,{b,c}}`` is
    one brace with the alternatives ``a`` and ``{b,c}``)."""
    for start, char in enumerate(pattern):
        if char != "{" or _escaped(pattern, start):
            continue
        depth = 0
        commas: list[int] = []
        i = start + 1
        while i < len(pattern):
            current = pattern[i]
            if current == "\\":
                i += 2
                continue
            if current == "{":
                depth += 1
            elif current == "}":
                if depth == 0:
                    if commas:
                        bounds = [start, *commas, i]
                        return start, i, [pattern[a + 1 : b] for a, b in itertools.pairwise(bounds)]
                    sequence = _sequence(pattern[start + 1 : i])
                    if sequence is not None:
                        return start, i, sequence
                    break
                depth -= 1
            elif current == "," and depth == 0:
                commas.append(i)
            i += 1
    return None


def _escaped(pattern: str, position: int) -> bool:
    backslashes = 0
    while position - backslashes - 1 >= 0 and pattern[position - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def _sequence(inner: str) -> list[str] | None:
    match = _SEQUENCE.match(inner)
    if match is None:
        return None
    if match.group(4):
        first, last = ord(match.group(4)), ord(match.group(5))
        step = 1 if last >= first else -1
        return [chr(code) for code in range(first, last + step, step)][: MAX_BRACE_WORDS + 1]
    first, last = int(match.group(1)), int(match.group(2))
    step = abs(int(match.group(3) or 1)) or 1
    if last < first:
        step = -step
    count = abs(last - first) // abs(step) + 1
    if count > MAX_BRACE_WORDS:
        return [str(first + n * step) for n in range(MAX_BRACE_WORDS + 1)]
    return [str(first + n * step) for n in range(count)]
