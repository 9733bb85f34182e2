"""Set task classes' ``level`` in a policy file's bytes, changing nothing else.

``agentgov rollback --apply`` proposes demotions as a change a reviewer reads line by line,
so the result differs from the original only in those values: ruamel.yaml composes the
text in round-trip mode, whose nodes give each scalar's exact span, and only the spans of
the ``level`` values are replaced, in the value's own style (a number stays a number, an
id stays an id, quotes stay). Comments, order, layout, CRLF line endings and a BOM are
kept (docs/ci.md#agentgov-rollback).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agentgov.errors import UsageError
from agentgov.policy.model import Level

_BOM = "\ufeff"


def set_levels(raw: bytes, levels: Mapping[str, Level], label: str) -> bytes:
    """``raw`` with ``task_classes.<name>.level`` set for each class in ``levels``."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.nodes import MappingNode, ScalarNode

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise UsageError(f"{label}: not UTF-8 text (byte {err.start}); fix it first") from None
    bom = _BOM if text.startswith(_BOM) else ""
    body = text[len(bom) :]
    try:
        root = YAML(typ="rt").compose(body)
    except YAMLError as err:
        raise UsageError(f"{label}: not valid YAML ({err}); fix it first") from None
    classes = _value(root, "task_classes") if isinstance(root, MappingNode) else None
    if not isinstance(classes, MappingNode):
        raise UsageError(f"{label}: no task_classes mapping to edit")
    edits: list[tuple[int, int, str]] = []
    for name, level in levels.items():
        entry = _value(classes, name)
        value = _value(entry, "level") if isinstance(entry, MappingNode) else None
        if not isinstance(value, ScalarNode):
            raise UsageError(f"{label}: task_classes.{name}.level is not a single value")
        edits.append((value.start_mark.index, value.end_mark.index, _styled(value, level)))
    for start, end, replacement in sorted(edits, reverse=True):
        body = body[:start] + replacement + body[end:]
    return (bom + body).encode("utf-8")


def _value(mapping: Any, key: str) -> Any:
    from ruamel.yaml.nodes import ScalarNode

    for node_key, node_value in mapping.value:
        if isinstance(node_key, ScalarNode) and node_key.value == key:
            return node_value
    return None


def _styled(value: Any, level: Level) -> str:
    """``level`` written as the old value was: a number or an id, quoted alike."""
    written = str(value.value).strip()
    new = str(level.value) if written.isdigit() else level.id
    if value.style in ("'", '"'):
        return f"{value.style}{new}{value.style}"
    return new
