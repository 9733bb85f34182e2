"""The evidence read fast: the per-blob cache changes nothing that `metrics` and `status`
report (a cold run and a warm one print the same bytes), a corrupt cache is ignored and
read again, the forked reader gives what one process gives, and the field check and the
timestamp shortcut agree with the schema and ``epoch`` on the fields evidence reads."""

from __future__ import annotations

import copy
import marshal
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from agentgov.audit.record_check import compiled_check
from agentgov.evidence import record_slim
from agentgov.evidence.record_slim import fast_epoch, slim_of
from agentgov.evidence.trail_metrics import Fact, epoch
from agentgov.evidence.trail_read import _read_blobs, read_blobs
from tests.conftest import git
from tests.evidence.test_metrics_trail import agentgov, history  # noqa: F401 - the fixture

COMMANDS = [("metrics", "--format", "json"), ("status", "--format", "json")]


def cache_files(repo: Path) -> list[Path]:
    return sorted((repo / ".git" / "agentgov" / "cache").glob("*.marshal"))


@pytest.fixture
def flushed(history: Path) -> Path:  # noqa: F811
    assert agentgov(history, "audit", "flush").returncode == 0
    git(history, "commit", "-q", "--allow-empty", "-m", "after the flush")
    return history


def cold_output(repo: Path, command: tuple[str, ...]) -> str:
    for path in cache_files(repo):
        path.unlink()
    done = agentgov(repo, *command)
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


@pytest.mark.parametrize("command", COMMANDS, ids=["metrics", "status"])
def test_a_warm_run_prints_what_a_cold_run_prints(flushed: Path, command: tuple[str, ...]) -> None:
    cold = cold_output(flushed, command)
    # the cold run left its caches: the trail's, and the paths its agent commit changed
    assert [path.name.split("-v")[0] for path in cache_files(flushed)] == [
        "changed-paths",
        "trail",
    ]
    warm = agentgov(flushed, *command)
    assert warm.stdout == cold
    assert '"approval_rate"' in cold  # measured, not an empty report


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _payload_edited(data: bytes) -> bytes:
    """One byte of the payload changed, the digest left as it was."""
    last = data[-1:]
    return data[:-1] + (b"\x00" if last != b"\x00" else b"\x01")


def _garbage(data: bytes) -> bytes:
    return b"not a cache at all"


def _wrong_shape(data: bytes) -> bytes:
    """A well-formed cache (header, digest) whose entries are of the wrong shape."""
    import hashlib

    from agentgov.evidence.cache_file import MAGIC

    loaded = marshal.loads(data[len(MAGIC) + 32 :])
    payload = marshal.dumps(dict.fromkeys(loaded, (0, b"", [("bad",)])))  # neither shape
    return MAGIC + hashlib.blake2b(payload).digest()[:32] + payload


@pytest.mark.parametrize(
    "corrupt",
    [_truncated, _payload_edited, _garbage, _wrong_shape],
    ids=["truncated", "payload-edited", "garbage", "wrong-shape"],
)
@pytest.mark.parametrize("command", COMMANDS, ids=["metrics", "status"])
def test_a_corrupt_cache_is_ignored_not_trusted(
    flushed: Path, command: tuple[str, ...], corrupt: Any
) -> None:
    cold = cold_output(flushed, command)
    for path in cache_files(flushed):
        path.write_bytes(corrupt(path.read_bytes()))
    again = agentgov(flushed, *command)
    assert again.returncode in (0, 1), again.stderr
    assert again.stdout == cold


def test_the_forked_reader_reads_what_one_process_reads(flushed: Path) -> None:
    listing = git(flushed, "ls-tree", "-r", "refs/notes/agentgov")
    blobs = sorted(line.split()[2] for line in listing.splitlines())
    blobs = blobs * 2 if len(blobs) < 2 else blobs  # two halves, one for each process
    assert read_blobs(flushed, blobs, parallel_from=1) == _read_blobs(flushed, blobs)


DECISION: dict[str, Any] = {
    "v": 1,
    "kind": "decision",
    "session": "s1",
    "seq": 3,
    "prev": "a" * 64,
    "ts": "2024-05-01T10:00:00.123Z",
    "source": "claude-code",
    "tool": "Edit",
    "tool_use_id": "toolu_1",
    "input": "src/app.py",
    "decision": "ask",
    "sent": "deny",
    "class": "local",
    "rules": [],
    "level": 3,
    "task_class": "tests",
    "reason": "why",
}
TURN: dict[str, Any] = {
    "v": 1,
    "kind": "turn",
    "session": "s1",
    "seq": 4,
    "prev": "b" * 64,
    "ts": "2024-05-01T10:00:01Z",
    "event": "stop",
    "interrupted": False,
    "duration_ms": 1200,
    "detail": {"rejections": 1, "interruptions": 0},
}


def changed(record: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(record)
    for key, value in changes.items():
        if value is DROP:
            out.pop(key, None)
        else:
            out[key] = value
    return out


DROP = object()


def fact_of(record: Mapping[str, Any]) -> Fact | None:
    """The fact of one valid record read field by field, as the metrics mean each field
    (the reading ``slim_of`` is held to), or None for kinds no metric reads (or no time)."""
    kind = record.get("kind")
    if kind not in ("decision", "outcome", "turn", "session", "incident"):
        return None
    time = epoch(record.get("ts"))
    if time is None:
        return None
    detail = record.get("detail")
    detail = detail if isinstance(detail, dict) else {}
    session, seq = str(record["session"]), int(record["seq"])
    if kind == "decision":
        return Fact(
            kind,
            session,
            seq,
            time,
            task_class=str(record.get("task_class", "")),
            decision=str(record.get("decision", "")),
            sent=str(record.get("sent", "")),
            tool_use_id=str(record.get("tool_use_id") or ""),
        )
    if kind == "outcome":
        return Fact(
            kind,
            session,
            seq,
            time,
            tool_use_id=str(record.get("tool_use_id") or ""),
        )
    if kind == "incident":
        return Fact(
            kind,
            session,
            seq,
            time,
            task_class=str(record.get("task_class", "")),
            event=str(detail.get("event", "open")),
            incident=str(detail.get("id", "")),
            severity=str(detail.get("severity", "")),
            note=str(detail.get("note", "")),
            commit=str(record.get("commit", "")),
        )
    duration = record.get("duration_ms")
    return Fact(
        kind,
        session,
        seq,
        time,
        event=str(record.get("event", "")),
        interrupted=record.get("interrupted") is True,
        duration_ms=duration if type(duration) is int else -1,
        rejections=_count(detail.get("rejections")),
        interruptions=_count(detail.get("interruptions")),
    )


def _count(value: object) -> int:
    return value if type(value) is int and value > 0 else 0


@pytest.mark.parametrize(
    "record",
    [
        DECISION,
        changed(DECISION, sent=DROP, tool=DROP),
        changed(DECISION, sent=""),
        changed(DECISION, sent="maybe"),
        changed(DECISION, tool=None),
        changed(DECISION, level=0),
        changed(DECISION, level=6),
        changed(DECISION, level=True),
        changed(DECISION, seq=-1),
        changed(DECISION, seq=1.0),
        changed(DECISION, session=""),
        changed(DECISION, v=True),
        changed(DECISION, kind="nonsense"),
        changed(DECISION, task_class=DROP),
        changed(DECISION, decision="maybe"),
        changed(DECISION, **{"class": "teleport"}),
        changed(DECISION, source="elsewhere"),
        changed(DECISION, tool_use_id=7),
        changed(DECISION, extra="a field the schema does not name"),
        changed(DECISION, ts=5),
        TURN,
        changed(TURN, duration_ms=-1),
        changed(TURN, duration_ms="12"),
        changed(TURN, interrupted=None),
        changed(TURN, detail=[]),
        changed(TURN, event=3),
        changed(TURN, ts="yesterday"),
        changed(TURN, kind="session", event="commit", commit="abc1234", detail={"marker": "X"}),
        changed(TURN, kind="session", event="commit", commit=5),
        changed(TURN, kind="incident", detail={"event": "open", "id": 3}, commit="abc"),
        changed(TURN, kind="review", commit="abc", verdict="agree", detail={}),
        changed(TURN, kind="review", commit="abc", detail={}),
        changed(TURN, kind="ci", commit="abc", verdict=1, detail={}),
        changed(TURN, kind="outcome", ok=True, tool_use_id="toolu_1", source="claude-code"),
        changed(TURN, kind="outcome"),
    ],
)
def test_the_field_check_is_the_schema_on_the_fields_read(record: dict[str, Any]) -> None:
    slim = slim_of(record)
    assert (slim is not None) == compiled_check()(record)
    if slim is not None:
        fact = fact_of(record)
        assert slim[0] == (None if fact is None else tuple(fact))


@pytest.mark.parametrize(
    "unread",
    [
        {"prev": "not a digest"},
        {"input": "x" * 5000},
        {"rules": [1, 2]},
        {"reason": 5},
        {"branch": 7},
    ],
)
def test_fields_evidence_never_reads_are_left_to_audit_verify(unread: dict[str, Any]) -> None:
    record = {**DECISION, **unread}
    assert not compiled_check()(record)
    slim = slim_of(record)
    assert slim is not None
    assert slim == slim_of(DECISION)


def test_the_schema_is_what_the_field_check_assumes() -> None:
    assert record_slim.FAST


@pytest.mark.parametrize(
    "ts",
    [
        "2024-05-01T10:00:00.123Z",
        "2024-05-01T10:00:59.999Z",
        "2024-02-29T23:59:59.000Z",
        "1999-12-31T23:59:59.001Z",
        "2024-05-01T10:00:00Z",
        "2024-05-01T10:00:00.123456Z",
        "2024-05-01T10:00:00.1Z",
        "2024-05-01T10:00:00+02:00",
        "2023-02-29T10:00:00.000Z",
        "2024-13-01T10:00:00.000Z",
        "2024-05-01T24:00:00.000Z",
        "2024-05-01T10:60:00.000Z",
        "2024-05-01",
        "",
    ],
)
def test_the_timestamp_shortcut_is_epoch_exactly(ts: str) -> None:
    assert fast_epoch(ts) == epoch(ts)
    assert fast_epoch(ts) == epoch(ts)  # the second time, from the lookups
