"""What a Claude Code tool call is, as a subject the engine can judge, and what it touches.

The only I/O here is resolving symlinks of the paths a file tool names, so that a link
into a guarded directory is judged where it really points. ``touched`` comes first: the
paths a call touches (a file tool's, or those a Bash command writes, read from its
analysis) decide which repository's policy is in force and the task class.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentgov.adapters.claude_code.payload import PayloadError
from agentgov.adapters.local_context import shell_work
from agentgov.evaluators.shell.model import Analysis
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
class Touched:
    """What a call touches: ``paths`` choose the repository and the task class; a Bash
    command's ``analysis`` is handed to the engine, which need not make it again;
    ``partial`` says the paths are only the writes of a command that may do more."""

    paths: tuple[str, ...] = ()
    real_paths: tuple[str, ...] = ()
    analysis: Analysis | None = None
    partial: bool = False


@dataclass(frozen=True)
class ToolCall:
    """The subject to judge and the text the audit trail records."""

    subject: Subject
    text: str


def _real(paths: tuple[str, ...], cwd: str) -> tuple[str, ...]:
    resolved = []
    for path in paths:
        absolute = os.path.join(cwd, os.path.expanduser(path))
        real = os.path.realpath(absolute)
        if real != os.path.normpath(absolute):
            resolved.append(real)
    return tuple(resolved)


def _command(tool_input: dict[str, Any]) -> str:
    command = tool_input.get("command")
    if not isinstance(command, str):
        raise PayloadError("Bash tool_input lacks a 'command' string")
    return command


def _edited(tool: str, tool_input: dict[str, Any]) -> str:
    path = tool_input.get("file_path") or tool_input.get("notebook_path")
    if not isinstance(path, str) or not path:
        raise PayloadError(f"{tool} tool_input lacks a 'file_path' string")
    return path


def _read_paths(tool_input: dict[str, Any]) -> tuple[str, ...]:
    return tuple(
        value
        for key in ("file_path", "path", "notebook_path")
        if isinstance(value := tool_input.get(key), str) and value
    )


def touched(
    tool: str, tool_input: dict[str, Any], cwd: str, environ: Mapping[str, str] | None = None
) -> Touched:
    """The paths a call touches: a file tool's path (and where its symlinks lead), or the
    paths a Bash command writes (``sed -i``, ``>>``, ``cp``... see
    ``evaluators/written_paths.py``), each absolute or relative to ``cwd``."""
    if tool == "Bash":
        work = shell_work(_command(tool_input), Path(cwd), environ)
        return Touched(work.paths, (), work.analysis, partial=True)
    if tool in EDIT_TOOLS:
        path = _edited(tool, tool_input)
        real = _real((path,), cwd)
        return Touched((path, *real), real)
    if tool in READ_TOOLS:
        paths = _read_paths(tool_input)
        return Touched(paths, _real(paths, cwd))
    return Touched()


def tool_call(
    tool: str,
    tool_input: dict[str, Any],
    policy: Policy,
    seen: Touched,
) -> ToolCall:
    """The call as a subject; ``seen`` is ``touched(tool, tool_input, cwd)``."""
    if tool == "Bash":
        command = _command(tool_input)
        return ToolCall(ShellCommand(command), command)
    if tool in EDIT_TOOLS:
        path = _edited(tool, tool_input)
        return ToolCall(FileEdit((path,), seen.real_paths), path)
    if tool in READ_TOOLS:
        paths = _read_paths(tool_input)
        globs = tuple(
            value
            for key in ("pattern", "glob")
            if isinstance(value := tool_input.get(key), str)
            and value
            and (key == "glob" or tool == "Glob")
        )
        # Grep's glob filters names inside its path; judge it as a pattern under that path.
        anchored = tuple(os.path.join(paths[0], g) if paths else g for g in globs)
        subject = FileRead(paths, anchored, seen.real_paths)
        return ToolCall(subject, " ".join((*paths, *globs)))
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
