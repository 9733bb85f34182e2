"""A YAML reader with a budget, so no policy file can make a guard hang or run out of memory.

An alias (``*name``) repeats a node that is written once. ruamel.yaml builds it as a shared
reference, but the policy's plain data, the schema check and every later step see the
expanded tree, so nine lines of nested aliases (the "billion laughs") would ask for 10^9
values. The budget is counted while composing, before anything is built or expanded:

- at most ``MAX_ALIASES`` alias uses;
- at most ``MAX_NODES`` values once aliases are expanded (an alias costs the size of what it
  names, known by then, so a bomb fails at the alias that crosses the line);
- at most ``MAX_DEPTH`` levels of nested lists and mappings (the composer recurses per level);
- no alias inside the node it names (a recursive structure has no plain-data form).

The file's size (``cache.MAX_POLICY_BYTES``) is checked before this, in ``source_text``.
A real policy is a few hundred values, a handful of aliases at most, and seven levels deep;
the limits are far above that and far below anything slow. Documented in docs/policy.md.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.events import AliasEvent

MAX_ALIASES = 100
MAX_NODES = 20_000
MAX_DEPTH = 32


class BudgetExceeded(Exception):
    """The document is over a limit; ``line`` and ``col`` are 1-based."""

    def __init__(self, line: int, col: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.col = col
        self.message = message


def _at(event: Any) -> tuple[int, int]:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


class BudgetComposer(Composer):
    """ruamel.yaml's composer, counting aliases, expanded values and depth as it goes."""

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader)
        self._aliases = 0
        self._nodes = 0
        self._levels = 0
        self._sizes: dict[int, int] = {}
        """Expanded size of each anchored node, once it is complete (by ``id``: the nodes
        stay alive in ``anchors`` for the whole document)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if isinstance(event, AliasEvent):
            self._count_alias(event)
            return super().compose_node(parent, index)
        self._levels += 1
        if self._levels > MAX_DEPTH:
            line, col = _at(event)
            raise BudgetExceeded(
                line,
                col,
                f"nested too deeply: more than {MAX_DEPTH} levels of lists and mappings; "
                "a policy needs fewer than ten, so flatten this value",
            )
        start = self._nodes
        self._nodes += 1
        self._check_nodes(event, None)
        node = super().compose_node(parent, index)
        if getattr(event, "anchor", None) is not None:
            self._sizes[id(node)] = self._nodes - start
        self._levels -= 1
        return node

    def _count_alias(self, event: Any) -> None:
        target = self.anchors.get(event.anchor)
        if target is None:
            return  # ruamel.yaml reports the undefined alias with its position
        line, col = _at(event)
        size = self._sizes.get(id(target))
        if size is None:
            raise BudgetExceeded(
                line,
                col,
                f"alias *{event.anchor} is used inside the value it names (a recursive "
                "alias); a policy cannot contain itself, so write the value out",
            )
        self._aliases += 1
        if self._aliases > MAX_ALIASES:
            raise BudgetExceeded(
                line,
                col,
                f"too many aliases: *{event.anchor} is alias use {self._aliases}, and a "
                f"policy may use at most {MAX_ALIASES}; write these values out",
            )
        self._nodes += size
        self._check_nodes(event, event.anchor)

    def _check_nodes(self, event: Any, alias: str | None) -> None:
        if self._nodes <= MAX_NODES:
            return
        line, col = _at(event)
        if alias is not None:
            raise BudgetExceeded(
                line,
                col,
                f"too many aliases: *{alias} expands the policy past {MAX_NODES} values "
                "(an alias bomb?); write the values out, or alias smaller ones",
            )
        raise BudgetExceeded(
            line,
            col,
            f"the policy has more than {MAX_NODES} values; a policy is a few hundred "
            "(is this the right file?)",
        )


def budget_yaml() -> YAML:
    """A round-trip YAML loader that raises ``BudgetExceeded`` past the limits."""
    yaml = YAML(typ="rt")
    yaml.Composer = BudgetComposer
    return yaml
