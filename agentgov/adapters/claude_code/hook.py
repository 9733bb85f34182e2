"""``agentgov hook claude-code``: judge and record one Claude Code hook event.

This runs as a whole process on every tool call, so it imports only what it needs: no
typer, jsonschema, ruamel.yaml or pygit2 (the policy comes from the compiled cache).

Failure is a deny. Claude Code lets a tool call through when a hook crashes, times out,
exits 1 or prints invalid JSON; only exit 2 or an explicit deny blocks. So every failure on
a tool-call event (bad stdin, a missing field, an invalid policy, an unwritable journal, a
bug) exits 2 with a one-line reason that says what to fix. Failures while recording turns
and sessions exit 1 (shown, not blocking): a broken journal must not lock a person out of
their own prompt. A hook that is merely slow fails the same way: it carries its own
deadline below Claude Code's timeout (``deadline.py``).

Each event is journalled once however many handlers receive it (a user-scope and a project
hook both installed): the journal is keyed by the event (``event_key``), and every handler
still answers Claude Code with its own, identical, decision.

SessionEnd parks the session's pending records on HEAD, in a detached process (Claude Code
gives SessionEnd about 1.5 s and may kill it; the flush survives a kill anyway).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from agentgov.adapters.claude_code import deadline
from agentgov.adapters.claude_code.deadline import BLOCKING_EVENTS
from agentgov.adapters.claude_code.payload import HookEvent, parse_event
from agentgov.adapters.claude_code.tools import tool_call, touched
from agentgov.adapters.local_context import Placement, locate, place
from agentgov.adapters.policy_refusal import under_refusal
from agentgov.audit.journal import EventKey, Journal, clip
from agentgov.audit.redact import redact
from agentgov.engine import Decision, evaluate
from agentgov.errors import AgentgovError, ExitCode
from agentgov.git_layout import RepoLayout, find_repo
from agentgov.policy.in_force import policy_in_force_of
from agentgov.policy.model import Verdict

__all__ = ["BLOCKING_EVENTS", "can_ask", "event_key", "handle", "main"]
# Where no human can answer a prompt, "ask" would be silently allowed (older builds under
# bypassPermissions) or refused; agentgov sends a deny that says a human is needed.
NO_HUMAN_MODES = frozenset({"bypassPermissions", "dontAsk"})
NON_INTERACTIVE_ENTRYPOINTS = frozenset({"sdk-cli", "sdk-py", "sdk-ts", "sdk"})
REPEAT_WINDOW = 60.0
"""Seconds within which an event without a ``tool_use_id`` and with the very same payload
bytes is another handler's copy of it rather than a new event; longer than any handler's
deadline, so two handlers of one event always fall inside it."""


def main() -> int:
    seconds = deadline.arm(os.environ)
    raw = sys.stdin.buffer.read(1024 * 1024 + 1)
    code = handle(raw, sys.stdout, sys.stderr, os.environ, seconds)
    deadline.disarm()  # before the buffered answer is flushed at exit
    return code


def handle(
    raw: bytes,
    out: IO[str],
    err: IO[str],
    environ: Mapping[str, str],
    seconds: float | None = None,
) -> int:
    """Process one event; returns the exit code. Never raises."""
    event_name = "PreToolUse"
    try:
        event = parse_event(raw)
        event_name = event.event
        if seconds is not None:
            deadline.expect(event_name, seconds)
        return _dispatch(event, event_key(event, raw), out, environ)
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


def event_key(event: HookEvent, raw: bytes) -> EventKey:
    """What every handler of this one event shares, and no other event does: the event's
    name and its ``tool_use_id`` (Claude Code's id of the call), or, for events without
    one, a digest of the exact payload bytes (each handler gets the same stdin)."""
    digest = hashlib.sha256(event.event.encode("utf-8") + b"\0")
    if event.tool_use_id:
        digest.update(b"tool_use_id\0" + event.tool_use_id.encode("utf-8"))
        return EventKey(digest.hexdigest()[:32])
    digest.update(b"payload\0" + raw)
    return EventKey(digest.hexdigest()[:32], expires=REPEAT_WINDOW)


def _journal(layout: RepoLayout | None, key: EventKey, environ: Mapping[str, str]) -> Journal:
    if layout is not None:
        return Journal(layout.state_dir, key)
    state = environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Journal(Path(state) / "agentgov", key)


def _dispatch(event: HookEvent, key: EventKey, out: IO[str], environ: Mapping[str, str]) -> int:
    if event.event == "PreToolUse":
        return _pre_tool_use(event, key, out, environ)
    journal = _journal(find_repo(Path(event.cwd)), key, environ)
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
    elif event.event == "PermissionDenied":
        # Auto Mode's classifier denied the call: a second guard whose decisions belong in
        # the trail (docs/claude-code.md, "Events").
        fields: dict[str, Any] = {
            **base,
            "kind": "permission",
            "event": "denied",
            "tool": event.tool_name,
            "tool_use_id": event.tool_use_id,
        }
        why = event.raw.get("reason")
        if isinstance(why, str) and why:
            fields["reason"] = clip(redact(why), 1000)
        journal.append(event.session_id, fields)
    elif event.event in {"SubagentStart", "SubagentStop"}:
        what = "subagent-start" if event.event == "SubagentStart" else "subagent-stop"
        detail = {
            name: str(event.raw[name])
            for name in ("agent_id", "agent_type")
            if isinstance(event.raw.get(name), (str, int))
        }
        journal.append(
            event.session_id, {**base, "kind": "session", "event": what, "detail": detail}
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
        appended = journal.append(
            event.session_id, {**base, "kind": "session", "event": what, "detail": detail}
        )
        if what == "end" and not appended.duplicate:
            _park_in_background(event, environ)
    return 0


def _park_in_background(event: HookEvent, environ: Mapping[str, str]) -> None:
    """Start ``agentgov hook park session-end`` in the repository, detached: it moves the
    pending records into notes on HEAD, marked as parked there (``audit.journal.parking``),
    so the next ``git push`` carries them. Nothing waits for it; a failure to start leaves
    the records pending, for the next commit or push."""
    layout = find_repo(Path(event.cwd))
    if layout is None:
        return
    import subprocess  # only SessionEnd pays for it

    try:
        subprocess.Popen(
            [sys.executable, "-m", "agentgov", "hook", "park", "session-end"],
            cwd=layout.root,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            env={**environ},
        )
    except OSError as err:
        sys.stderr.write(f"agentgov: the session's records stay pending ({err.strerror})\n")


def _pre_tool_use(event: HookEvent, key: EventKey, out: IO[str], environ: Mapping[str, str]) -> int:
    # What the call touches (a file tool's path, the paths a Bash command writes) decides
    # the repository whose policy and guard apply, whatever the cwd, and the task class.
    seen = touched(event.tool_name, event.tool_input, event.cwd, environ)
    location = locate(Path(event.cwd), seen.paths)
    found = policy_in_force_of(location.project)
    policy = found.policy
    call = tool_call(event.tool_name, event.tool_input, policy, seen)
    placement = place(
        policy,
        Path(event.cwd),
        environ=environ,
        paths=seen.paths,
        location=location,
        partial=seen.partial,
    )
    decision = evaluate(call.subject, policy, placement.context, analysis=seen.analysis)
    # While the policy in force is refused (its ref was moved), pushes and irreversible
    # actions are denied and every non-allow says why (docs/policy.md#the-policy-in-force).
    decision = under_refusal(decision, found)
    sent, reason = _answer(decision, event, environ, placement)
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
    detail: dict[str, Any] = {}
    if found.refusal:
        detail["policy_refusal"] = clip(found.refusal, 1000)
    effective = placement.effective
    if effective is not None and effective.causes:
        # Why the level is below the configured one: kill switch, no sandbox, incident.
        detail["effective"] = {
            "configured": effective.configured.value,
            "causes": [
                {"kind": cause.kind, "source": cause.source, "level": cause.level.value}
                for cause in effective.causes
            ],
        }
    if detail:
        record["detail"] = detail
    # The project's trail: from a cwd outside every repository, that of the first touched
    # path in one, so choosing cwd=/ cannot keep an action off the record.
    _journal(location.project, key, environ).append(event.session_id, record)
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
    decision: Decision, event: HookEvent, environ: Mapping[str, str], placement: Placement
) -> tuple[Verdict, str]:
    summary = decision.reason or decision.action_class.value
    level = f"level {decision.level.value} {decision.level.id}, task class {decision.task_class}"
    if decision.verdict is Verdict.ALLOW:
        return Verdict.ALLOW, f"agentgov: {decision.action_class.value} allowed at {level}"
    if decision.verdict is Verdict.ASK:
        effective = placement.effective
        if effective is not None and effective.causes:
            summary = f"{summary} ({effective.because})"
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
    effective = placement.effective
    if effective is not None and effective.causes:
        # The level is held down (kill switch, no sandbox, an open incident): say by what
        # and what a person does to lift it.
        summary = f"{effective.because}; {summary}"
        instead += f" Only a person lifts it: {effective.release}."
    return Verdict.DENY, f"agentgov denied this ({level}): {summary}.{instead}"


def _turn_file(journal: Journal, event: HookEvent) -> Path:
    return journal.path(event.session_id).with_suffix(".turn")


def _turn_start(event: HookEvent, journal: Journal) -> None:
    marker = _turn_file(journal, event)
    if marker.exists():
        # The previous turn never reached Stop: the user interrupted it.
        _turn_end(event, journal, interrupted_by_stop=True)
    appended = journal.append(
        event.session_id, {"source": "claude-code", "kind": "turn", "event": "prompt"}
    )
    if not appended.duplicate:  # another handler's copy of this event changes nothing
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
    if not journal.append(event.session_id, fields).duplicate:
        marker.unlink(missing_ok=True)
