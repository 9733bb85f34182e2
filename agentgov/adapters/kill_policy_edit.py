"""Set ``kill_switch.engaged`` and ``reason`` in a policy file, keeping every other byte.

``agentgov kill`` proposes the repo-wide kill switch as a change to the policy working copy
(``.agentgov/policy.yaml``), for a reviewed pull request. ruamel.yaml composes the file in
round-trip mode, whose nodes give each value's exact span, and only those spans change:
comments, order, quoting, blank lines and line endings elsewhere stay as they were. What is
missing is added in the file's own style: a ``reason`` after ``engaged`` (a new line at the
same indent in a block mapping, ``, reason: ...`` in a flow mapping), or a whole
``kill_switch`` block at the end. The result must still be a valid policy, or nothing is
written.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentgov.errors import UsageError

_MAX_REASON = 500


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    text: str


def _single_line(reason: str) -> str:
    return " ".join(reason.split())[:_MAX_REASON]


def _quoted(reason: str, style: str | None) -> str:
    if style == "'":
        return "'" + reason.replace("'", "''") + "'"
    return json.dumps(reason)  # a JSON string is a valid YAML double-quoted scalar


def set_kill_switch(text: str, engaged: bool, reason: str, label: str) -> str:
    """``text`` with ``kill_switch.engaged`` and ``kill_switch.reason`` set."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.nodes import MappingNode, ScalarNode

    reason = _single_line(reason)
    newline = "\r\n" if "\r\n" in text else "\n"
    try:
        root = YAML(typ="rt").compose(text)
    except YAMLError as err:
        raise UsageError(f"{label}: not valid YAML ({err}); fix it, then run this again") from None
    if not isinstance(root, MappingNode):
        raise UsageError(f"{label}: the policy is not a mapping of keys; fix it first")
    flag = "true" if engaged else "false"
    kill: Any = None
    kill_key: Any = None
    for key, value in root.value:
        if isinstance(key, ScalarNode) and key.value == "kill_switch":
            kill, kill_key = value, key
    edits: list[Edit] = []
    if kill is None:
        if root.flow_style:
            raise UsageError(f"{label}: a policy written as one flow mapping; add kill_switch")
        block = f"kill_switch:{newline}  engaged: {flag}{newline}  reason: {_quoted(reason, None)}"
        ending = "" if text.endswith(("\n", "\r")) or not text else newline
        edits.append(Edit(len(text), len(text), f"{ending}{block}{newline}"))
    elif isinstance(kill, ScalarNode) and str(kill.tag).endswith(":null"):
        inline = f"{{engaged: {flag}, reason: {_quoted(reason, None)}}}"
        start, end = kill.start_mark.index, kill.end_mark.index
        if start == end:  # ``kill_switch:`` and nothing: the value goes after the colon
            at = text.index(":", kill_key.end_mark.index) + 1
            edits.append(Edit(at, at, " " + inline))
        else:  # ``kill_switch: null`` or ``~``
            edits.append(Edit(start, end, inline))
    elif isinstance(kill, MappingNode):
        edits.extend(_edit_mapping(text, kill, flag, reason, newline))
    else:
        raise UsageError(f"{label}: kill_switch must be a mapping (engaged, reason); fix it first")
    for edit in sorted(edits, key=lambda one: one.start, reverse=True):
        text = text[: edit.start] + edit.text + text[edit.end :]
    return text


def _edit_mapping(text: str, kill: Any, flag: str, reason: str, newline: str) -> list[Edit]:
    from ruamel.yaml.nodes import ScalarNode

    edits: list[Edit] = []
    found: dict[str, tuple[Any, Any]] = {}
    for key, value in kill.value:
        if isinstance(key, ScalarNode) and key.value in ("engaged", "reason"):
            found[key.value] = (key, value)
    values = {"engaged": flag, "reason": reason}
    for name, (_, value) in found.items():
        if not isinstance(value, ScalarNode):
            raise UsageError(f"kill_switch.{name} must be a single value; fix it first")
        start, end = value.start_mark.index, value.end_mark.index
        replacement = flag if name == "engaged" else _quoted(values[name], value.style)
        if start == end:  # ``engaged:`` with no value
            replacement = " " + replacement
        edits.append(Edit(start, end, replacement))
    missing = [name for name in ("engaged", "reason") if name not in found]
    if not missing:
        return edits
    pairs = [f"{name}: {flag if name == 'engaged' else _quoted(reason, None)}" for name in missing]
    if kill.flow_style:
        close = kill.end_mark.index - 1  # the closing brace
        inner = text[kill.start_mark.index + 1 : close].strip()
        joined = ", ".join(pairs)
        edits.append(Edit(close, close, (", " if inner else "") + joined))
        return edits
    if not kill.value:
        raise UsageError("kill_switch is empty; add engaged and reason")
    last_key, last_value = kill.value[-1]
    indent = " " * last_key.start_mark.column
    end = last_value.end_mark.index
    line_end = text.find("\n", end)
    at = len(text) if line_end < 0 else line_end + 1
    if line_end < 0:
        lines = newline + "".join(f"{indent}{pair}{newline}" for pair in pairs)
    else:
        lines = "".join(f"{indent}{pair}{newline}" for pair in pairs)
    edits.append(Edit(at, at, lines))
    return edits


def edit_policy_file(path: Path, engaged: bool, reason: str) -> bool:
    """Set the kill switch in the policy file at ``path``; False when there is no file.

    The edited text must load as a policy, else the file is left as it was."""
    from agentgov.policy.load import validate_bytes

    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return False
    except OSError as err:
        raise UsageError(f"{path}: cannot be read ({err.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise UsageError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from None
    edited = set_kill_switch(text, engaged, reason, str(path))
    if edited == text:
        return True
    validate_bytes(edited.encode("utf-8"), str(path))
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(edited.encode("utf-8"))
    os.chmod(temporary, path.stat().st_mode & 0o7777)
    os.replace(temporary, path)
    return True
