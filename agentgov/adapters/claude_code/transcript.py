"""Read interruptions and rejections of one turn from a Claude Code transcript.

The transcript (``transcript_path``) is JSON lines; user entries carry a ``timestamp`` and
a ``message`` whose content is text or a list of blocks. An interruption shows up as the
text ``[Request interrupted by user`` (also ``... for tool use]``); a rejected tool call as
a ``tool_result`` saying the user did not want to proceed. Only the tail of a long
transcript is read, and anything unreadable counts as nothing: turn metrics must never
break the hook.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

TAIL_BYTES = 2 * 1024 * 1024
INTERRUPT_MARK = "[Request interrupted by user"
REJECT_MARKS = ("doesn't want to proceed with this tool use", "tool use was rejected")


def count_interruptions(path: str, since: float | None) -> tuple[int, int]:
    """(interruptions, rejections) in user entries at or after ``since`` (epoch seconds)."""
    if not path:
        return 0, 0
    try:
        with Path(path).open("rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - TAIL_BYTES))
            lines = handle.read().decode("utf-8", errors="replace").splitlines()
    except OSError:
        return 0, 0
    interruptions = rejections = 0
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if not isinstance(entry, dict) or entry.get("type") != "user":
            continue
        if since is not None and _epoch(entry.get("timestamp")) < since:
            continue
        for text, is_result in _texts(entry.get("message")):
            if INTERRUPT_MARK in text:
                interruptions += 1
            elif is_result and any(mark in text for mark in REJECT_MARKS):
                rejections += 1
    return interruptions, rejections


def _epoch(stamp: object) -> float:
    if not isinstance(stamp, str):
        return float("inf")
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return float("inf")


def _texts(message: object) -> list[tuple[str, bool]]:
    if not isinstance(message, dict):
        return []
    content: Any = message.get("content")
    if isinstance(content, str):
        return [(content, False)]
    found: list[tuple[str, bool]] = []
    if isinstance(content, list):
        for block in content:
            if not isinstance(block, dict):
                continue
            if block.get("type") == "text" and isinstance(block.get("text"), str):
                found.append((block["text"], False))
            elif block.get("type") == "tool_result":
                inner = block.get("content")
                if isinstance(inner, str):
                    found.append((inner, True))
                elif isinstance(inner, list):
                    found.extend(
                        (part["text"], True)
                        for part in inner
                        if isinstance(part, dict) and isinstance(part.get("text"), str)
                    )
    return found
