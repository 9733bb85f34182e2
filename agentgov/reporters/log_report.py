"""``agentgov log`` output: a timeline a person reads, or one versioned JSON document.

Text groups by session; each record is one line (time, seq, the commit its note is on or
``pending``, what happened), with indented lines for why and for what was uncertain.

JSON is one document, ``{"v": 1, "records": [...], "problems": [...]}``, in timeline
order; each record entry is ``{"commit", "line", "where", "pending", "session",
"uncertain", "record"}``: ``where`` is ``<commit>:<line>`` or, for a pending record,
``<journal file>:<line>``, and ``record`` is the audit record exactly as stored. One document rather
than JSON lines, like ``rules --format json``: a consumer gets the problems with the
records and knows it read the whole answer. The stored line is spliced in as it is, not
re-encoded, which keeps 100,000 records well inside the two-second budget.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from agentgov.audit.records import SHORT, Problem
from agentgov.audit.timeline import Entry, SessionTimeline
from agentgov.policy.model import LEVEL_IDS

LOG_JSON_VERSION = 1
COMMIT_SHOWN = 7
INPUT_SHOWN = 120


def log_json(sessions: Iterable[SessionTimeline], problems: Iterable[Problem]) -> str:
    parts = []
    encoded: dict[object, str] = {}  # sessions and uncertainty phrases repeat: encode once

    def encode(value: object) -> str:
        text = encoded.get(value)
        if text is None:
            shown = list(value) if isinstance(value, tuple) else value
            text = encoded[value] = json.dumps(shown, ensure_ascii=False)
        return text

    for timeline in sessions:
        session = encode(timeline.session)
        for entry in timeline.entries:
            record = entry.record
            # commit ids and note places are hex and digits: no escaping needed
            if record.commit is None:
                commit, where = "null", encode(record.where)
            else:
                commit = f'"{record.commit}"'
                where = f'"{record.commit[:SHORT]}:{record.line}"'  # as Record.where has it
            pending = "true" if record.pending else "false"
            parts.append(
                f'{{"commit":{commit},"line":{record.line},"where":{where},"pending":{pending},'
                f'"session":{session},"uncertain":{encode(entry.uncertain)},'
                f'"record":{record.text}}}'
            )
    problem_list = [
        {"where": p.where, "commit": p.commit, "line": p.line, "message": p.message}
        for p in problems
    ]
    return (
        f'{{"v":{LOG_JSON_VERSION},"records":[{",".join(parts)}],'
        f'"problems":{json.dumps(problem_list, ensure_ascii=False)}}}'
    )


def log_text(sessions: Iterable[SessionTimeline]) -> str:
    blocks = [_session_text(timeline) for timeline in sessions]
    return "\n\n".join(blocks) if blocks else "no audit records match"


def problems_text(problems: Iterable[Problem]) -> str:
    shown = [str(problem) for problem in problems]
    if not shown:
        return ""
    head = f"{len(shown)} line(s) of the trail could not be read and were skipped:"
    return "\n".join([head, *(f"  {line}" for line in shown)])


def _session_text(timeline: SessionTimeline) -> str:
    entries = timeline.entries
    first, last = _ts(entries[0]), _ts(entries[-1])
    pending = sum(1 for entry in entries if entry.record.pending)
    span = f"{first[:10]} {first[11:19]} → {last[11:19] if last[:10] == first[:10] else _day(last)}"
    head = f"session {timeline.session} · {len(entries)} record{'s' * (len(entries) != 1)}"
    head += f" · {span} UTC" + (f" · {pending} pending" if pending else "")
    lines = [head]
    for entry in entries:
        lines.extend(_entry_lines(entry, first[:10]))
    return "\n".join(lines)


def _entry_lines(entry: Entry, day: str) -> list[str]:
    record = entry.record
    fields = record.record
    ts = str(fields.get("ts", ""))
    when = ts[11:19] if ts[:10] == day else _day(ts)
    where = "pending" if record.commit is None else record.commit[:COMMIT_SHOWN]
    prefix = f"  {when}  #{record.seq:<3} {where:<8} "
    indent = " " * len(prefix)
    summary, details = _describe(fields)
    lines = [prefix + summary]
    lines.extend(indent + detail for detail in details)
    if entry.uncertain:
        lines.append(indent + "uncertain: " + "; ".join(entry.uncertain))
    return lines


def _describe(fields: Mapping[str, Any]) -> tuple[str, list[str]]:
    """The record's one-line summary and its detail lines, by kind."""
    kind = fields.get("kind")
    tool = str(fields.get("tool", ""))
    if kind == "decision":
        summary = f"{fields.get('decision', '?'):<5}  {tool}  {_shown(fields.get('input', ''))}"
        level = fields.get("level")
        level_text = f"level {level} {LEVEL_IDS.get(level, '')}".rstrip() if level else "level ?"
        about = [str(fields.get("class", "?")), level_text, f"task {fields.get('task_class')}"]
        rules = fields.get("rules") or []
        if rules:
            about.append(f"rule{'s' * (len(rules) > 1)} {', '.join(map(str, rules))}")
        details = [" · ".join(about)]
        if fields.get("decision") != "allow" and fields.get("reason"):
            details.append(f"why: {_shown(fields['reason'], 200)}")
        return summary, details
    if kind == "outcome":
        return f"{'ran' if fields.get('ok') else 'failed':<5}  {tool}", []
    if kind == "permission":
        return f"prompt shown for {tool}", []
    if kind == "turn":
        return _turn(fields), []
    if kind == "session":
        detail = fields.get("detail") or {}
        why = ", ".join(f"{key} {value}" for key, value in sorted(detail.items()))
        return f"session {fields.get('event', '?')}" + (f" ({why})" if why else ""), []
    words = [str(kind)]
    for key in ("verdict", "commit", "reason"):
        value = fields.get(key)
        if value:
            words.append(str(value)[:COMMIT_SHOWN] if key == "commit" else _shown(value))
    return " ".join(words), []


def _turn(fields: Mapping[str, Any]) -> str:
    if fields.get("event") != "stop":
        return f"turn {fields.get('event', '?')}"
    text = "turn stop"
    if isinstance(fields.get("duration_ms"), int):
        text += f" after {fields['duration_ms'] / 1000:.1f}s"
    detail = fields.get("detail") or {}
    counts = [
        f"{detail[key]} {key if detail[key] != 1 else key[:-1]}"
        for key in ("interruptions", "rejections")
        if isinstance(detail.get(key), int) and detail[key]
    ]
    if fields.get("interrupted"):
        text += ", interrupted"
    return text + (f" ({', '.join(counts)})" if counts else "")


def _shown(value: object, limit: int = INPUT_SHOWN) -> str:
    """One line: newlines shown as ⏎, long text cut with a visible mark."""
    text = " ⏎ ".join(part.strip() for part in str(value).splitlines() if part.strip())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _ts(entry: Entry) -> str:
    return str(entry.record.record.get("ts", "")).ljust(19)


def _day(ts: str) -> str:
    return f"{ts[:10]} {ts[11:19]}"
