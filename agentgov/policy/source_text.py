"""Reading a policy file's bytes and turning them into plain data with positions.

The YAML layer is ruamel.yaml in round-trip mode, because its nodes carry the line and
column of every key and value; validation errors are reported as ``file:line:col``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agentgov.errors import PolicyError
from agentgov.policy.cache import MAX_POLICY_BYTES

# A policy is a page of YAML; anything past MAX_POLICY_BYTES (1 MiB) is a mistake, never
# a policy. Every route to a policy comes through ``decode``; the readers (the working
# copy, `validate FILE`, the staged file in pre-commit) stop at cache.READ_LIMIT bytes.

KeyPath = tuple[str, ...]


@dataclass(frozen=True)
class Position:
    line: int
    col: int


@dataclass(frozen=True)
class Document:
    """Plain data (dicts with string keys, lists, scalars) and where each part stands.

    ``values`` maps a key path to the position of its value, ``keys`` to the position of
    the key itself (the place to point at when the key is unknown or misspelled).
    """

    label: str
    data: dict[str, Any]
    values: dict[KeyPath, Position]
    keys: dict[KeyPath, Position]

    def where(self, path: KeyPath, *, key: bool = False) -> Position:
        """The closest known position for ``path``: itself, else its nearest parent."""
        table = self.keys if key else self.values
        for end in range(len(path), 0, -1):
            found = table.get(path[:end]) or self.values.get(path[:end])
            if found is not None:
                return found
        return Position(1, 1)

    def problem(self, path: KeyPath, message: str, *, key: bool = False) -> str:
        at = self.where(path, key=key)
        dotted = ".".join(path) if path else "(root)"
        return f"{self.label}:{at.line}:{at.col}: {dotted}: {message}"


def decode(raw: bytes, label: str) -> str:
    """The file's text, or a PolicyError saying why these bytes cannot be a policy."""
    if len(raw) > MAX_POLICY_BYTES:
        # Every reader stops at cache.READ_LIMIT, so the true size is not known here.
        raise PolicyError(
            [
                f"{label}:1:1: file is larger than 1 MiB, the most a policy may be "
                "(is this the right file?)"
            ]
        )
    if b"\x00" in raw:
        raise PolicyError([f"{label}:1:1: file is binary (it contains NUL bytes), not YAML"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise PolicyError(
            [f"{label}:{line}:1: file is not UTF-8 text (byte {err.start}); save it as UTF-8"]
        ) from None
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise PolicyError(
            [f"{label}:1:1: file is empty; start from a template with `agentgov init`"]
        )
    for number, row in enumerate(text.splitlines(), start=1):
        indent = row[: len(row) - len(row.lstrip(" \t"))]
        if "\t" in indent:
            col = indent.index("\t") + 1
            raise PolicyError(
                [
                    f"{label}:{number}:{col}: a tab indents this line; YAML indentation "
                    "must use spaces"
                ]
            )
    return text


def parse(text: str, label: str) -> Document:
    """Parse YAML text into a ``Document``; YAML errors become positioned PolicyErrors.

    The reader counts aliases, expanded values and depth as it composes (``yaml_budget``),
    so no document makes the steps after it (plain data, the schema) slow or large."""
    from ruamel.yaml.constructor import DuplicateKeyError
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    from agentgov.policy.yaml_budget import BudgetExceeded, budget_yaml

    try:
        root = budget_yaml().load(text)
    except BudgetExceeded as err:
        raise PolicyError([f"{label}:{err.line}:{err.col}: {err.message}"]) from None
    except DuplicateKeyError as err:
        mark = err.problem_mark
        key = _duplicate_key_name(err)
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        raise PolicyError(
            [f"{label}:{line}:{col}: duplicate key {key}; each key may appear once per mapping"]
        ) from None
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        what = (err.problem or err.context or "invalid YAML").strip()
        raise PolicyError([f"{label}:{line}:{col}: invalid YAML: {what}"]) from None
    except (YAMLError, RecursionError, ValueError) as err:
        raise PolicyError([f"{label}:1:1: invalid YAML: {err}"]) from None
    document = Document(label, {}, {}, {})
    if not isinstance(root, dict):
        kind = _kind(root)
        raise PolicyError(
            [
                f"{label}:1:1: the policy must be a mapping of keys (version, task_classes, ...), "
                f"not {kind}"
            ]
        )
    document.data.update(_plain(root, (), document))
    return document


def _duplicate_key_name(err: Exception) -> str:
    text = str(err)
    marker = 'found duplicate key "'
    if marker in text:
        return '"' + text.split(marker, 1)[1].split('"', 1)[0] + '"'
    return "in this mapping"


def _kind(value: object) -> str:
    if value is None:
        return "an empty document"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return f"a {type(value).__name__}"


def _plain(node: Any, path: KeyPath, document: Document) -> Any:
    """Builtin types only (bool before int: ruamel's booleans are int subclasses)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarbool import ScalarBoolean

    if isinstance(node, CommentedMap):
        result: dict[str, Any] = {}
        for key, value in node.items():
            name = _key_text(key)
            child = (*path, name)
            key_line, key_col = node.lc.key(key)
            value_line, value_col = node.lc.value(key)
            document.keys[child] = Position(key_line + 1, key_col + 1)
            document.values[child] = Position(value_line + 1, value_col + 1)
            result[name] = _plain(value, child, document)
        return result
    if isinstance(node, CommentedSeq):
        items = []
        for index, value in enumerate(node):
            child = (*path, str(index))
            line, col = node.lc.item(index)
            document.values[child] = Position(line + 1, col + 1)
            items.append(_plain(value, child, document))
        return items
    if isinstance(node, (ScalarBoolean, bool)):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    if node is None:
        return None
    return str(node)


def _key_text(key: object) -> str:
    if isinstance(key, bool):
        return str(key).lower()
    return str(key)
