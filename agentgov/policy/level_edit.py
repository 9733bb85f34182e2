"""Set task classes' ``level`` in a policy file's bytes, changing nothing else.

``agentgov rollback --apply`` proposes demotions as a change a reviewer reads line by line,
so the result differs from the original only in those values: ruamel.yaml composes the
text in round-trip mode, whose nodes give each scalar's exact span, and only the spans of
the ``level`` values are replaced, in the value's own style (a number stays a number, an
id stays an id, quotes stay). Comments, order, layout, CRLF line endings and a BOM are
kept. The result is loaded again and must differ from the original policy in those levels
alone (docs/ci.md#agentgov-rollback).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from agentgov.errors import PolicyError, UsageError
from agentgov.policy.in_force import POLICY_PATH
from agentgov.policy.load import load_bytes
from agentgov.policy.model import Level, Policy

_BOM = "\ufeff"
_PROPERTIES = re.compile(r"(?:(?:&|!)[^\s]*\s+)*")
"""An anchor (``&name``) and a tag (``!!int``) before a scalar: its node's span covers
them, and they stay."""


def set_levels(raw: bytes, levels: Mapping[str, Level], label: str = POLICY_PATH) -> bytes:
    """``raw`` with ``task_classes.<name>.level`` set for each class in ``levels``; a
    ``UsageError`` that says what to do when a level cannot be edited in place."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.nodes import MappingNode, ScalarNode

    original = _loaded(raw, label, "fix it first")
    text = raw.decode("utf-8")  # it loaded, so it is UTF-8
    bom = _BOM if text.startswith(_BOM) else ""
    body = text[len(bom) :]
    try:
        root = YAML(typ="rt").compose(body)
    except YAMLError as err:  # the loader parses with its own settings
        raise UsageError(f"{label}: not valid YAML ({err}); fix it first") from None
    classes = _entry(root, "task_classes") if isinstance(root, MappingNode) else None
    if classes is None or not isinstance(classes[1], MappingNode):
        raise UsageError(f"{label}: no task_classes mapping to edit")
    edits: list[tuple[int, int, str]] = []
    for name, level in levels.items():
        entry = _entry(classes[1], name)
        if entry is None:
            raise UsageError(f"{label}: task_classes has no class {name!r}")
        found = _entry(entry[1], "level") if isinstance(entry[1], MappingNode) else None
        key = f"task_classes.{name}.level"
        if found is None or not isinstance(found[1], ScalarNode):
            raise UsageError(
                f"{label}: {key} is not written as a value of its own (a class without "
                "one, or one taken from an anchor or a merge key): set it by hand"
            )
        key_node, value = found
        if value.start_mark.index < key_node.end_mark.index:  # an alias: *name
            raise UsageError(
                f"{label}: {key} is an alias of a value written elsewhere: changing it "
                "would change every class that shares it; set it by hand"
            )
        start, end = value.start_mark.index, value.end_mark.index
        start = _scalar_start(body, start, end)
        edits.append((start, end, _styled(value, level)))
    for start, end, replacement in sorted(edits, reverse=True):
        body = body[:start] + replacement + body[end:]
    edited = (bom + body).encode("utf-8")
    after = _loaded(edited, label, "set the levels by hand")
    if after != _with_levels(original, levels):
        raise UsageError(
            f"{label}: setting the level of {', '.join(sorted(levels))} in place would "
            "change more than that (a value shared with another class through an anchor?): "
            "set it by hand"
        )
    return edited


def _loaded(raw: bytes, label: str, remedy: str) -> Policy:
    try:
        return load_bytes(raw, label)
    except PolicyError as err:
        raise UsageError(f"{label} does not load ({err.problems[0]}): {remedy}") from None


def _with_levels(policy: Policy, levels: Mapping[str, Level]) -> Policy:
    classes = tuple(replace(c, level=levels.get(c.name, c.level)) for c in policy.task_classes)
    return replace(policy, task_classes=classes)


def _entry(mapping: Any, key: str) -> tuple[Any, Any] | None:
    """The (key node, value node) pair of ``key`` in a composed mapping."""
    from ruamel.yaml.nodes import ScalarNode

    for node_key, node_value in mapping.value:
        if isinstance(node_key, ScalarNode) and node_key.value == key:
            return node_key, node_value
    return None


def _scalar_start(body: str, start: int, end: int) -> int:
    """Where the scalar's own text begins in its node's span (after an anchor or a tag)."""
    found = _PROPERTIES.match(body, start, end)
    return found.end() if found else start


def _styled(value: Any, level: Level) -> str:
    """``level`` written as the old value was: a number or an id, quoted alike."""
    written = str(value.value).strip()
    new = str(level.value) if written.isdigit() else level.id
    if value.style in ("'", '"'):
        return f"{value.style}{new}{value.style}"
    return new
