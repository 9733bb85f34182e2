"""The hook's own deadline: a decision that comes too late is a deny, never a silent pass.

Claude Code cancels a hook that outlives its registered ``timeout`` (30 s, as
``agentgov install claude-code`` writes it) and then lets the tool call through. So the
hook arms an interval timer (``SIGALRM``) before it reads stdin. When the timer fires,
its handler writes an answer prepared in advance (the deny JSON on PreToolUse) with
``os.write``, and ends the process with ``os._exit``: no lock, no buffer, no cleanup that
could stall again. Python runs the handler between bytecodes of the main thread, and
interrupts a blocked system call for it (a journal lock held by another process, a hung
``git``), so a slow policy load, a held lock or a stuck subprocess all end at the deadline.

What a signal cannot interrupt is C code that holds the GIL for long (a regular expression
backtracking, a huge ``json.loads``); the committed shim (``hooks/claude-code``) kills
the process at a later backstop and turns that death into exit 2. See docs/claude-code.md.

``AGENTGOV_HOOK_DEADLINE`` (seconds, a decimal) changes the deadline; 0 or a value that is
not a positive number falls back to the default.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Mapping
from types import FrameType

ENV = "AGENTGOV_HOOK_DEADLINE"
DEFAULT_DEADLINE = 25.0
"""Seconds. Claude Code's timeout for the hook is 30 s; 25 leaves the interpreter's start
(before the timer is armed), the answer's write, a loaded machine's scheduling delay and
the shim's backstop (28 s) all inside it."""

BLOCKING_EVENTS = frozenset(
    {"PreToolUse", "PermissionRequest", "PostToolUse", "PostToolUseFailure"}
)
"""Events whose failures exit 2 (the hook module's rule; PostToolUse's exit 2 shows the
reason to Claude, as the tool already ran). On the others a late hook exits 1: a stuck
journal must not eat the user's prompt or force a turn to continue."""

_ANSWER: list[tuple[bytes, bytes, int]] = [(b"", b"", 2)]
"""The late answer, prepared before it may be needed: (stdout, stderr, exit code)."""


def deadline_seconds(environ: Mapping[str, str]) -> float:
    text = environ.get(ENV, "")
    try:
        value = float(text) if text else DEFAULT_DEADLINE
    except ValueError:
        return DEFAULT_DEADLINE
    return value if 0 < value < 3600 else DEFAULT_DEADLINE


def arm(environ: Mapping[str, str]) -> float:
    """Start the deadline for an event not read yet (answered as a PreToolUse)."""
    seconds = deadline_seconds(environ)
    expect("PreToolUse", seconds)
    signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    return seconds


def expect(event: str, seconds: float) -> None:
    """Prepare the late answer for ``event``, once the event's name is known."""
    reason = (
        f"agentgov did not decide within its {seconds:g}s deadline (below Claude Code's "
        "hook timeout, which would let the call through), so the call is blocked; something "
        "stalled it: a slow policy load (run `agentgov validate`), a journal lock "
        "held by another process, or a hung git. Retry; report it if it repeats"
    )
    out = b""
    if event == "PreToolUse":
        out = (
            json.dumps(
                {
                    "hookSpecificOutput": {
                        "hookEventName": "PreToolUse",
                        "permissionDecision": "deny",
                        "permissionDecisionReason": f"agentgov blocked this call: {reason}",
                    }
                }
            )
            + "\n"
        ).encode()
    code = 2 if event in BLOCKING_EVENTS else 1
    _ANSWER[0] = (out, f"agentgov: {reason}\n".encode(), code)


def disarm() -> None:
    """Stop the timer: the answer is written (call before the interpreter exits)."""
    signal.setitimer(signal.ITIMER_REAL, 0)


def _expired(signum: int, frame: FrameType | None) -> None:
    out, err, code = _ANSWER[0]
    try:
        if out:
            os.write(1, out)
        os.write(2, err)
    finally:
        os._exit(code)
