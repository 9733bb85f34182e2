"""What a Claude Code tool call is, as a subject the engine can judge.

The only I/O here is resolving symlinks of the paths a file tool names, so that a link
into a guarded directory is judged where it really points.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from agentgov.adapters.claude_code.payload import PayloadError
from agentgov.policy.globs import match_name
from agentgov.policy.model import ActionClass, Policy
from agentgov.subjects import FileEdit, FileRead, FixedAction, ShellCommand, Subject

EDIT_TOOLS = frozenset({"Edit", "Write", "MultiEdit", "NotebookEdit"})
READ_TOOLS = frozenset({"Read", "Grep", "Glob", "LS", "NotebookRead"})
NETWORK_TOOLS = frozenset({"WebFetch", "WebSearch"})
# Tools that only plan or talk. Agent/Task start a subagent whose own tool calls reach
# this hook one by one, so the launch itself changes nothing.
TALK_TOOLS = frozenset(
    {
        "TodoWrite",
        "TodoRead",
        "AskUserQuestion",
        "ExitPlanMode",
        "EnterPlanMode",
        "Agent",
        "Task",
        "ListMcpResourcesTool",
        "ReadMcpResourceTool",
    }
)


@dataclass(frozen=True)
class ToolCall:
    """The subject to judge, the text the audit trail records, and the paths that choose
    the task class."""

    subject: Subject
    text: str
    paths: tuple[str, ...] = ()


def _real(paths: tuple[str, ...], cwd: str) -> tuple[str, ...]:
    resolved = []
    for path in paths:
        absolute = os.path.join(cwd, os.path.expanduser(path))
        real = os.path.realpath(absolute)
        if real != os.path.normpath(absolute):
            resolved.append(real)
    return tuple(resolved)


def tool_call(tool: str, tool_input: dict[str, Any], policy: Policy, cwd: str) -> ToolCall:
    if tool == "Bash":
        command = tool_input.get("command")
        if not isinstance(command, str):
            raise PayloadError("Bash tool_input lacks a 'command' string")
        return ToolCall(ShellCommand(command), command)
    if tool in EDIT_TOOLS:
        path = tool_input.get("file_path") or tool_input.get("notebook_path")
        if not isinstance(path, str) or not path:
            raise PayloadError(f"{tool} tool_input lacks a 'file_path' string")
        return ToolCall(FileEdit((path,), _real((path,), cwd)), path, (path,))
    if tool in READ_TOOLS:
        paths = tuple(
            value
            for key in ("file_path", "path", "notebook_path")
            if isinstance(value := tool_input.get(key), str) and value
        )
        globs = tuple(
            value
            for key in ("pattern", "glob")
            if isinstance(value := tool_input.get(key), str)
            and value
            and (key == "glob" or tool == "Glob")
        )
        # Grep's glob filters names inside its path; judge it as a pattern under that path.
        anchored = tuple(os.path.join(paths[0], g) if paths else g for g in globs)
        subject = FileRead(paths, anchored, _real(paths, cwd))
        return ToolCall(subject, " ".join((*paths, *globs)), paths)
    if tool in NETWORK_TOOLS:
        target = str(tool_input.get("url") or tool_input.get("query") or "")
        return ToolCall(FixedAction(tool, ActionClass.NETWORK, "web access", target), target)
    if tool in TALK_TOOLS:
        return ToolCall(FixedAction(tool, ActionClass.READ, "plans or talks only"), tool)
    for pattern, action_class in policy.tools:
        if match_name(tool, [pattern]):
            why = f"the policy names {tool} ({pattern}): {action_class.value}"
            return ToolCall(FixedAction(tool, action_class, why), tool)
    why = f"{tool} is not known to agentgov; name it under tools: in the policy to decide"
    return ToolCall(FixedAction(tool, ActionClass.DYNAMIC, why), tool)
