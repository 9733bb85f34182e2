"""``agentgov hook claude-code``: judge and record one Claude Code hook event.

This runs as a whole process on every tool call, so it imports only what it needs: no
typer, jsonschema, ruamel.yaml or pygit2 (the policy comes from the compiled cache).

Failure is a deny. Claude Code lets a tool call through when a hook crashes, times out,
exits 1 or prints invalid JSON; only exit 2 or an explicit deny blocks. So every failure on
a tool-call event (bad stdin, a missing field, an invalid policy, an unwritable journal, a
bug) exits 2 with a one-line reason that says what to fix. Failures while recording turns
and sessions exit 1 (shown, not blocking): a broken journal must not lock a person out of
their own prompt.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from agentgov.adapters.claude_code.payload import HookEvent, parse_event
from agentgov.adapters.claude_code.tools import tool_call, touched
from agentgov.adapters.local_context import locate, place
from agentgov.audit.journal import Journal, clip
from agentgov.audit.redact import redact
from agentgov.engine import Decision, evaluate
from agentgov.errors import AgentgovError, ExitCode
from agentgov.git_layout import find_repo
from agentgov.policy.in_force import PolicyInForce, policy_in_force
from agentgov.policy.model import Verdict

BLOCKING_EVENTS = frozenset(
    {"PreToolUse", "PermissionRequest", "PostToolUse", "PostToolUseFailure"}
)
# Where no human can answer a prompt, "ask" would be silently allowed (older builds under
# bypassPermissions) or refused; agentgov sends a deny that says a human is needed.
NO_HUMAN_MODES = frozenset({"bypassPermissions", "dontAsk"})
NON_INTERACTIVE_ENTRYPOINTS = frozenset({"sdk-cli", "sdk-py", "sdk-ts", "sdk"})


def main() -> int:
    raw = sys.stdin.buffer.read(1024 * 1024 + 1)
    return handle(raw, sys.stdout, sys.stderr, os.environ)


def handle(raw: bytes, out: IO[str], err: IO[str], environ: Mapping[str, str]) -> int:
    """Process one event; returns the exit code. Never raises."""
    event_name = "PreToolUse"
    try:
        event = parse_event(raw)
        event_name = event.event
        return _dispatch(event, out, environ)
    except AgentgovError as problem:
        return _fail(event_name, str(problem), out, err)
    except Exception as problem:  # noqa: BLE001 - a crash must deny, never open the gate
        return _fail(
            event_name,
            f"agentgov internal error ({type(problem).__name__}: {problem}); "
            "the call is blocked until this is fixed: report it with the hook input",
            out,
            err,
        )


def _fail(event: str, message: str, out: IO[str], err: IO[str]) -> int:
    line = " ".join(message.split())
    if event in BLOCKING_EVENTS:
        if event == "PreToolUse":
            _emit(out, "deny", f"agentgov blocked this call: {line}")
        err.write(f"agentgov: {line}\n")
        return 2
    err.write(f"agentgov: {line}\n")
    return int(ExitCode.VIOLATION)


def _emit(out: IO[str], decision: str, reason: str) -> None:
    payload = {
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": decision,
            "permissionDecisionReason": reason[:9000],
        }
    }
    out.write(json.dumps(payload) + "\n")


def _journal(event: HookEvent, environ: Mapping[str, str]) -> Journal:
    layout = find_repo(Path(event.cwd))
    if layout is not None:
        return Journal(layout.state_dir)
    state = environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Journal(Path(state) / "agentgov")


def _dispatch(event: HookEvent, out: IO[str], environ: Mapping[str, str]) -> int:
    journal = _journal(event, environ)
    if event.event == "PreToolUse":
        return _pre_tool_use(event, journal, out, environ)
    base = {"source": "claude-code"}
    if event.event in {"PostToolUse", "PostToolUseFailure"}:
        journal.append(
            event.session_id,
            {
                **base,
                "kind": "outcome",
                "tool": event.tool_name,
                "tool_use_id": event.tool_use_id,
                "ok": event.event == "PostToolUse",
            },
        )
    elif event.event == "PermissionRequest":
        journal.append(
            event.session_id,
            {
                **base,
                "kind": "permission",
                "event": "shown",
                "tool": event.tool_name,
                "tool_use_id": event.tool_use_id,
            },
        )
    elif event.event == "UserPromptSubmit":
        _turn_start(event, journal)
    elif event.event == "Stop":
        _turn_end(event, journal, interrupted_by_stop=False)
    elif event.event in {"SessionStart", "SessionEnd"}:
        what = "start" if event.event == "SessionStart" else "end"
        detail = {
            key: str(event.raw[key])
            for key in ("source", "reason", "model")
            if isinstance(event.raw.get(key), (str, int))
        }
        journal.append(
            event.session_id, {**base, "kind": "session", "event": what, "detail": detail}
        )
    return 0


def _pre_tool_use(
    event: HookEvent, journal: Journal, out: IO[str], environ: Mapping[str, str]
) -> int:
    # What the call touches (a file tool's path, the paths a Bash command writes) decides
    # the repository whose policy and guard apply, whatever the cwd, and the task class.
    seen = touched(event.tool_name, event.tool_input, event.cwd, environ)
    location = locate(Path(event.cwd), seen.paths)
    found = policy_in_force(location.policy_start)
    policy = found.policy
    call = tool_call(event.tool_name, event.tool_input, policy, event.cwd, seen)
    placement = place(
        policy,
        Path(event.cwd),
        environ=environ,
        paths=seen.paths,
        location=location,
        partial=seen.partial,
    )
    decision = evaluate(call.subject, policy, placement.context, analysis=seen.analysis)
    sent, reason = _answer(decision, event, environ, found)
    record: dict[str, Any] = {
        "source": "claude-code",
        "kind": "decision",
        "tool": event.tool_name,
        "tool_use_id": event.tool_use_id,
        "input": clip(redact(call.text)),
        "decision": decision.verdict.value,
        "class": decision.action_class.value,
        "rules": list(decision.rules),
        "would_deny": list(decision.would_deny),
        "level": decision.level.value,
        "task_class": decision.task_class,
        "reason": clip(redact(decision.reason), 1000),
        "policy": found.label if found.commit is None else f"{found.label}@{found.commit[:12]}",
        "branch": placement.context.branch,
    }
    if sent is not decision.verdict:
        record["sent"] = sent.value
    journal.append(event.session_id, record)
    _emit(out, sent.value, reason)
    return 0


def can_ask(event: HookEvent, environ: Mapping[str, str]) -> bool:
    """Whether an "ask" reaches a human who can answer it."""
    if event.permission_mode in NO_HUMAN_MODES:
        return False
    if environ.get("AGENTGOV_NONINTERACTIVE") or environ.get("CI"):
        return False
    return environ.get("CLAUDE_CODE_ENTRYPOINT", "") not in NON_INTERACTIVE_ENTRYPOINTS


def _answer(
    decision: Decision, event: HookEvent, environ: Mapping[str, str], found: PolicyInForce
) -> tuple[Verdict, str]:
    summary = decision.reason or decision.action_class.value
    level = f"level {decision.level.value} {decision.level.id}, task class {decision.task_class}"
    if decision.verdict is Verdict.ALLOW:
        return Verdict.ALLOW, f"agentgov: {decision.action_class.value} allowed at {level}"
    if decision.verdict is Verdict.ASK:
        if can_ask(event, environ):
            return (
                Verdict.ASK,
                f"agentgov asks ({decision.action_class.value} at {level}): {summary}",
            )
        return (
            Verdict.DENY,
            f"needs a human: {summary}. This session cannot show a prompt "
            f"(permission mode {event.permission_mode}); ask the user to run it or to "
            "approve it in an interactive session.",
        )
    instead = f" Instead: {decision.remediation}" if decision.remediation else ""
    if found.policy.kill_switch.engaged:
        summary = f"the kill switch is engaged ({found.policy.kill_switch.reason}); {summary}"
    return Verdict.DENY, f"agentgov denied this ({level}): {summary}.{instead}"


def _turn_file(journal: Journal, event: HookEvent) -> Path:
    return journal.path(event.session_id).with_suffix(".turn")


def _turn_start(event: HookEvent, journal: Journal) -> None:
    marker = _turn_file(journal, event)
    if marker.exists():
        # The previous turn never reached Stop: the user interrupted it.
        _turn_end(event, journal, interrupted_by_stop=True)
    journal.append(event.session_id, {"source": "claude-code", "kind": "turn", "event": "prompt"})
    marker.write_text(str(time.time()), encoding="utf-8")


def _turn_end(event: HookEvent, journal: Journal, *, interrupted_by_stop: bool) -> None:
    marker = _turn_file(journal, event)
    try:
        started = float(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        started = None
    # Imported here, not at the top: only Stop reads the transcript (and its datetime
    # import would cost every tool call).
    from agentgov.adapters.claude_code.transcript import count_interruptions

    interruptions, rejections = count_interruptions(event.transcript_path, started)
    fields: dict[str, Any] = {
        "source": "claude-code",
        "kind": "turn",
        "event": "stop",
        "interrupted": interrupted_by_stop or interruptions > 0,
        "detail": {"interruptions": interruptions, "rejections": rejections},
    }
    if started is not None:
        fields["duration_ms"] = max(0, int((time.time() - started) * 1000))
    journal.append(event.session_id, fields)
    marker.unlink(missing_ok=True)
