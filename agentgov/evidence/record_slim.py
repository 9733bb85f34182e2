"""What evidence reads of one audit record, in one pass over the parsed line: its ``Fact``
(the trail metrics) and its ``Link`` (the history side), with a check of exactly the
fields read.

``metrics`` and ``status`` read a dozen fields of each of 100,000 records. Checking every
record against the whole JSON Schema (``audit.record_check``) cost a third of a cold run,
most of it on fields no metric reads (``input``, ``reason``, ``rules``, ``prev``...). So a
record counts here when it is an object with the schema's required fields (its ``kind``'s
too), no field the schema does not name, ``v`` the integer 1, and every field that
evidence reads *for its kind* of the type, value set and bounds the schema gives it. For
the fields read that is the schema's own answer (``SCHEMA_ASSUMED`` is compared with the
shipped schema; where they differ every record takes the full check instead); a record
wrong only in a field evidence never reads is counted, not skipped as unreadable.
``agentgov audit verify`` remains the check of every field (docs/evidence.md).

Both results are plain tuples, so the per-blob cache (``trail_read``) stores them as they
are. ``trail_metrics.Fact`` and ``history_links`` say what each field means; a test holds
this module to a plain field-by-field reading of each record.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from agentgov.audit.record_check import compiled_check, record_schema
from agentgov.evidence.trail_metrics import epoch

_MISSING: Any = object()
_TS = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]))"
    r":([0-5][0-9]):([0-5][0-9])(?:\.([0-9]{3}|[0-9]{6}))?Z"
)
_HOURS: dict[str, int | None] = {}

CALL = "call"
"""A Claude Code tool call (decision, outcome, permission): ``(CALL, session, seq, edit)``,
``edit`` being ``(task_class, tool, class, level)`` of a decision not sent as a deny."""
MADE = "made"
"""post-commit's ``session``/``commit`` record: ``(MADE, session, seq, commit, marker)``."""
PARKED = "parked"
"""``session``/``parked``: ``(PARKED, session, first_seq, last_seq)``."""
INCIDENT = "incident"
"""An opened incident naming a commit: ``(INCIDENT, session, seq, commit, id)``."""
VERDICT_KINDS = frozenset({"review", "ci"})
"""``(kind, session, seq, commit, verdict, ts)``."""
TOOL_CALL_KINDS = frozenset({"decision", "outcome", "permission"})
AGENT_SOURCES = frozenset({"claude-code"})

SCHEMA_ASSUMED: dict[str, dict[str, Any]] = {
    "v": {"const": 1},
    "session": {"type": "string", "minLength": 1},
    "seq": {"type": "integer", "minimum": 0},
    "ts": {"type": "string"},
    "tool": {"type": "string"},
    "tool_use_id": {"type": "string"},
    "level": {"type": "integer", "minimum": 1, "maximum": 5},
    "task_class": {"type": "string"},
    "event": {"type": "string"},
    "duration_ms": {"type": "integer", "minimum": 0},
    "interrupted": {"type": "boolean"},
    "commit": {"type": "string"},
    "verdict": {"type": "string"},
    "detail": {"type": "object"},
}
"""The schema of each field read that the code below inlines; ``kind``, ``source``,
``decision``, ``sent`` and ``class`` are enums whose values it takes from the schema."""
_ENUMS = ("kind", "source", "decision", "sent", "class")


def _property(name: str) -> dict[str, Any]:
    found = dict(record_schema()["properties"][name])
    found.pop("description", None)
    return found


def _enum(name: str) -> frozenset[str]:
    spec = _property(name)
    if set(spec) != {"enum"} or not all(isinstance(v, str) for v in spec["enum"]):
        raise ValueError(f"{name}: expected a string enum in the record schema")
    return frozenset(spec["enum"])


def _required() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    schema = record_schema()
    by_kind: dict[str, frozenset[str]] = {}
    for part in schema.get("allOf", ()):
        ((_key, test),) = part["if"]["properties"].items()
        by_kind[test["const"]] = frozenset(part["then"]["required"])
    return frozenset(schema["required"]), by_kind


def schema_matches() -> bool:
    """Whether the shipped schema says of the fields read what this module assumes."""
    try:
        for name, spec in SCHEMA_ASSUMED.items():
            if _property(name) != spec:
                return False
        for name in _ENUMS:
            _enum(name)
        schema = record_schema()
        if schema.get("additionalProperties") is not False:
            return False
        _required()
    except (KeyError, ValueError, TypeError, AttributeError):
        return False
    return True


FAST = schema_matches()
_KINDS = _enum("kind")
_SOURCES = _enum("source")
_DECISIONS = _enum("decision")
_SENT = _enum("sent")
_CLASSES = _enum("class")
_REQUIRED, _REQUIRED_BY_KIND = _required()
_NAMED = frozenset(record_schema()["properties"])
_intern = sys.intern


def fast_epoch(ts: str) -> float | None:
    """``epoch(ts)`` exactly (the same float), without a datetime for the usual form
    ``2024-05-01T10:00:00.123Z``: each minute (``ts[:16]``) and each second-and-fraction
    (``ts[16:]``) is read once, through the full pattern, and looked up after that."""
    minute = _MINUTES.get(ts[:16])
    offset = _OFFSETS.get(ts[16:])
    if minute is None or offset is None:
        return _first_epoch(ts)
    # datetime's timestamp() is (whole microseconds) / 10**6, correctly rounded: the same
    return (minute + offset) / 1_000_000


_MINUTES: dict[str, int] = {}
"""``YYYY-MM-DDTHH:MM`` -> microseconds since the epoch, for minutes seen valid."""
_OFFSETS: dict[str, int] = {}
"""``:SS.fffZ`` -> microseconds into the minute, for forms seen valid."""


def _first_epoch(ts: str) -> float | None:
    found = _TS.fullmatch(ts)
    if found is None:
        return epoch(ts)
    hour, minute, second, fraction = found.groups()
    start = _HOURS.get(hour, -1)
    if start == -1:
        at_hour = epoch(f"{hour}:00:00Z")
        start = _HOURS[hour] = None if at_hour is None else int(at_hour)
    if start is None:
        return None
    micros = 0 if not fraction else int(fraction) * (1000 if len(fraction) == 3 else 1)
    _MINUTES[ts[:16]] = (start + int(minute) * 60) * 1_000_000
    _OFFSETS[ts[16:]] = int(second) * 1_000_000 + micros
    return ((start + int(minute) * 60 + int(second)) * 1_000_000 + micros) / 1_000_000


Slim = tuple[tuple[Any, ...] | None, tuple[Any, ...] | None]


def slim_of(record: Any, checked: bool = False) -> Slim | None:
    """(fact, link) of one parsed line, or None when it is not a record evidence can read.

    ``checked``: ``record`` passed ``record_check.compiled_check``, the whole schema with
    exact types. Where the schema says of the fields read what this module assumes
    (``FAST``), every test below then holds, so none is made again: a verified read
    (``evidence.verified_read``) gets the slim of each record it checked for 2.1 µs
    instead of 2.6 (measured over 100,000 records). The result is the same.
    """
    if checked and FAST:
        return _read(record, True)
    if type(record) is not dict:
        return None
    if not FAST and not _fully_valid(record):
        return None
    return _read(record, False)


def _read(record: dict[str, Any], checked: bool) -> Slim | None:
    keys = record.keys()
    if not checked and (not keys >= _REQUIRED or not keys <= _NAMED):
        return None
    v = record["v"]
    kind = record["kind"]
    session = record["session"]
    seq = record["seq"]
    ts = record["ts"]
    if not checked and (
        type(v) is not int
        or v != 1
        or type(kind) is not str
        or kind not in _KINDS
        or type(session) is not str
        or not session
        or type(seq) is not int
        or seq < 0
        or type(ts) is not str
    ):
        return None
    if not checked:
        needed = _REQUIRED_BY_KIND.get(kind)
        if needed is not None and not needed <= keys:
            return None
    kind = _intern(kind)
    session = _intern(session)
    if kind in TOOL_CALL_KINDS:
        return _call(record, kind, session, seq, ts, checked)
    if kind == "policy":
        return None, None
    return _other(record, kind, session, seq, ts, checked)


_Row = tuple[Any, ...]


def _call(
    record: dict[str, Any], kind: str, session: str, seq: int, ts: str, checked: bool
) -> Slim | None:
    get = record.get
    fact: _Row
    link: _Row | None
    source = get("source", _MISSING)
    tool_use_id = get("tool_use_id", "")
    if not checked and (
        (source is not _MISSING and (type(source) is not str or source not in _SOURCES))
        or type(tool_use_id) is not str
    ):
        return None
    if kind == "permission":
        return None, ((CALL, session, seq, None) if source in AGENT_SOURCES else None)
    time = fast_epoch(ts)
    if kind == "outcome":
        fact = (kind, session, seq, time, "", "", "", tool_use_id, *_OUTCOME_TAIL)
        link = (CALL, session, seq, None) if source in AGENT_SOURCES else None
        return (None if time is None else fact), link
    decision, sent = record["decision"], get("sent", _MISSING)
    task_class, level = record["task_class"], record["level"]
    klass, tool = record["class"], get("tool", _MISSING)
    if sent is _MISSING:
        sent = ""
    elif not checked and (type(sent) is not str or sent not in _SENT):
        return None
    if tool is _MISSING:
        tool = None
    elif not checked and type(tool) is not str:
        return None
    if not checked and (
        type(decision) is not str
        or decision not in _DECISIONS
        or type(task_class) is not str
        or type(level) is not int
        or not 1 <= level <= 5
        or type(klass) is not str
        or klass not in _CLASSES
    ):
        return None
    task_class = _intern(task_class)
    fact = (kind, session, seq, time, task_class, _intern(decision), _intern(sent))
    fact += (tool_use_id, *_OUTCOME_TAIL)
    link = None
    if source in AGENT_SOURCES:
        edit = None
        if (sent or decision) != "deny":
            edit = (task_class, None if tool is None else _intern(tool), _intern(klass), level)
        link = (CALL, session, seq, edit)
    return (None if time is None else fact), link


def _other(
    record: dict[str, Any], kind: str, session: str, seq: int, ts: str, checked: bool
) -> Slim | None:
    get = record.get
    keys = record.keys()
    fact: _Row
    link: _Row | None
    commit = get("commit", "")
    detail = get("detail", _MISSING)
    if not checked and (
        type(commit) is not str or (detail is not _MISSING and type(detail) is not dict)
    ):
        return None
    if kind in VERDICT_KINDS:
        verdict = record["verdict"]
        if not checked and type(verdict) is not str:
            return None
        return None, (kind, session, seq, commit, verdict, ts)
    time = fast_epoch(ts)
    if kind == "incident":
        task_class = get("task_class", "")
        if not checked and type(task_class) is not str:
            return None
        found: dict[str, Any] = detail if detail is not _MISSING else {}
        fact = (
            kind,
            session,
            seq,
            time,
            task_class,
            "",
            "",
            "",
            str(found.get("event", "open")),
            False,
            -1,
            0,
            0,
            str(found.get("id", "")),
            str(found.get("severity", "")),
            str(found.get("note", "")),
            commit,
            False,
        )
        link = None
        if commit and found.get("event") == "open":
            link = (INCIDENT, session, seq, commit, str(found.get("id", "?")))
        return (None if time is None else fact), link
    # turn, session
    event = get("event", "")
    interrupted = get("interrupted", False)
    duration = get("duration_ms", -1)
    if not checked and (
        type(event) is not str
        or type(interrupted) is not bool
        or type(duration) is not int
        or (duration < 0 and "duration_ms" in keys)
    ):
        return None
    found = detail if detail is not _MISSING else {}
    fact = (
        kind,
        session,
        seq,
        time,
        "",
        "",
        "",
        "",
        _intern(event),
        interrupted,
        duration,
        _count(found.get("rejections")),
        _count(found.get("interruptions")),
        "",
        "",
        "",
        "",
        False,
    )
    link = None
    if kind == "session" and event == "commit":
        marker = found.get("marker")
        if not isinstance(marker, str) or not marker:
            marker = "agent session"
        link = (MADE, session, seq, commit if "commit" in keys else None, marker)
    elif kind == "session" and event == "parked":
        first, last = found.get("first_seq"), found.get("last_seq")
        if isinstance(first, int) and isinstance(last, int):
            link = (PARKED, session, seq, first, last)
    return (None if time is None else fact), link


_OUTCOME_TAIL = ("", False, -1, 0, 0, "", "", "", "", False)


def _count(value: object) -> int:
    return value if type(value) is int and value > 0 else 0


def _fully_valid(record: dict[str, Any]) -> bool:
    """Where the schema is not what ``SCHEMA_ASSUMED`` says (a test keeps it so): the full
    check first, so nothing the schema refuses is read."""
    from agentgov.audit.record_check import schema_error

    return compiled_check()(record) or schema_error(record) is None


__all__ = ["FAST", "Slim", "fast_epoch", "slim_of"]
