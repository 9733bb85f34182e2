"""Read and check one Claude Code hook event from stdin (the official hooks protocol).

Common fields: ``session_id``, ``transcript_path``, ``cwd``, ``permission_mode``,
``hook_event_name``; tool events add ``tool_name``, ``tool_input``, ``tool_use_id`` and,
after the call, ``tool_response``. Anything malformed raises ``PayloadError`` with a
one-line message saying what is wrong; the hook turns that into a deny (fail closed).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from agentgov.errors import AgentgovError

MAX_PAYLOAD_BYTES = 1024 * 1024
TOOL_EVENTS = frozenset(
    {"PreToolUse", "PostToolUse", "PostToolUseFailure", "PermissionRequest", "PermissionDenied"}
)


class PayloadError(AgentgovError):
    """The hook's stdin is not a usable Claude Code event."""


@dataclass(frozen=True)
class HookEvent:
    event: str
    session_id: str
    cwd: str
    permission_mode: str = "default"
    transcript_path: str = ""
    tool_name: str = ""
    tool_input: dict[str, Any] = field(default_factory=dict, compare=False)
    tool_use_id: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def parse_event(raw: bytes) -> HookEvent:
    if len(raw) > MAX_PAYLOAD_BYTES:
        raise PayloadError(
            f"hook input is {len(raw)} bytes; agentgov reads at most {MAX_PAYLOAD_BYTES} "
            "(is the hook wired to the right command?)"
        )
    if not raw.strip():
        raise PayloadError(
            "hook input is empty; Claude Code sends one JSON event on stdin "
            "(run `agentgov install claude-code` to wire the hook correctly)"
        )
    try:
        data = json.loads(raw)
    except ValueError as err:
        raise PayloadError(
            f"hook input is not JSON ({err}); expected one Claude Code event"
        ) from None
    if not isinstance(data, dict):
        raise PayloadError("hook input must be a JSON object (a Claude Code event)")
    event = _text(data, "hook_event_name")
    session = _text(data, "session_id")
    cwd = _text(data, "cwd")
    mode = data.get("permission_mode", "default")
    tool_name, tool_input, tool_use_id = "", {}, ""
    if event in TOOL_EVENTS:
        tool_name = _text(data, "tool_name")
        raw_input = data.get("tool_input")
        if not isinstance(raw_input, dict):
            raise PayloadError(f"{event} event lacks a tool_input object")
        tool_input = raw_input
        tool_use_id = str(data.get("tool_use_id") or "")
    return HookEvent(
        event=event,
        session_id=session,
        cwd=cwd,
        permission_mode=mode if isinstance(mode, str) else "default",
        transcript_path=str(data.get("transcript_path") or ""),
        tool_name=tool_name,
        tool_input=tool_input,
        tool_use_id=tool_use_id,
        raw=data,
    )


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise PayloadError(f"hook input lacks the required field {key!r} (a non-empty string)")
    return value
