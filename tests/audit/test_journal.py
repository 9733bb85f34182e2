"""The journal: per-session files, a hash chain that survives flushes, safe file names."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from agentgov.audit.journal import (
    KEY_INDEX_KEEP,
    KEY_SUFFIX,
    EventKey,
    Journal,
    JournalError,
    clip,
    parking,
    session_file_name,
)


def test_records_chain_within_a_session_and_not_across(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    first = journal.append("s1", {"kind": "turn", "event": "prompt"})
    journal.append("s2", {"kind": "turn", "event": "prompt"})
    second = journal.append("s1", {"kind": "turn", "event": "stop"})
    assert (first.record["seq"], first.record["prev"]) == (0, "")
    assert second.record["seq"] == 1
    assert second.record["prev"] == hashlib.sha256(first.line.encode()).hexdigest()
    lines = journal.path("s1").read_text().splitlines()
    assert [json.loads(line)["v"] for line in lines] == [1, 1]
    assert journal.path("s2").read_text().count("\n") == 1


def test_the_chain_continues_from_the_tip_after_a_flush(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.append("s", {"kind": "turn", "event": "prompt"})
    last = journal.append("s", {"kind": "turn", "event": "stop"})
    journal.path("s").with_suffix(".tip").write_text(f"1 {last.digest}\n")
    journal.path("s").write_text("")  # what a flush leaves behind
    after = journal.append("s", {"kind": "session", "event": "end"})
    assert (after.record["seq"], after.record["prev"]) == (2, last.digest)


@pytest.mark.parametrize(
    ("session", "safe"),
    [
        ("abc123", True),
        ("0f7b1c9e-3a1d-4c55-8e2a-0d4c1f6b7a90", True),
        ("../../etc/passwd", False),
        ("a/b", False),
        ("", False),
        (".hidden", False),
    ],
)
def test_session_names_never_escape_the_journal(session: str, safe: bool) -> None:
    name = session_file_name(session)
    assert (name == session) is safe
    assert "/" not in name


def test_a_corrupt_last_line_is_reported_not_overwritten(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.directory.mkdir(parents=True)
    journal.path("s").write_text("garbage\n")
    with pytest.raises(JournalError, match="is not an audit record"):
        journal.append("s", {"kind": "turn"})
    assert journal.path("s").read_text() == "garbage\n"


def test_long_input_is_clipped_visibly() -> None:
    assert clip("x" * 5000).endswith("…[904 more chars]")
    assert clip("short") == "short"


def test_unwritable_directory_is_a_journal_error(tmp_path: Path) -> None:
    (tmp_path / "journal").write_text("a file where the directory should be")
    with pytest.raises(JournalError, match="cannot write the audit journal"):
        Journal(tmp_path).append("s", {"kind": "turn"})


def test_an_event_key_records_one_handler_s_copy_and_skips_the_other(tmp_path: Path) -> None:
    first = Journal(tmp_path, EventKey("k1"))
    second = Journal(tmp_path, EventKey("k1"))
    other = Journal(tmp_path, EventKey("k2"))
    written = first.append("s", {"kind": "turn", "event": "prompt"})
    also = first.append("s", {"kind": "turn", "event": "stop"})  # the same handler goes on
    skipped = second.append("s", {"kind": "turn", "event": "prompt"})
    then = second.append("s", {"kind": "turn", "event": "stop"})
    kept = other.append("s", {"kind": "turn", "event": "prompt"})
    assert [a.duplicate for a in (written, also, skipped, then, kept)] == [
        False,
        False,
        True,
        True,
        False,
    ]
    lines = first.path("s").read_text().splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [0, 1, 2]
    assert json.loads(lines[2])["prev"] == hashlib.sha256(lines[1].encode()).hexdigest()


@pytest.mark.parametrize(
    ("expires", "age", "duplicate"),
    [
        (None, 3600.0, True),  # a tool_use_id never repeats
        (60.0, 5.0, True),  # the other handler of the same payload
        (60.0, 120.0, False),  # the same payload again, later: a new event
    ],
)
def test_payload_keys_expire_and_tool_use_keys_do_not(
    tmp_path: Path, expires: float | None, age: float, duplicate: bool
) -> None:
    journal = Journal(tmp_path, EventKey("k", expires))
    journal.append("s", {"kind": "turn", "event": "prompt"})
    index = journal.path("s").with_suffix(KEY_SUFFIX)
    key, when = index.read_text().split()
    index.write_text(f"{key} {float(when) - age:.3f}\n")
    again = Journal(tmp_path, EventKey("k", expires)).append("s", {"kind": "turn"})
    assert again.duplicate is duplicate


def test_the_key_index_stays_small(tmp_path: Path) -> None:
    for number in range(3 * KEY_INDEX_KEEP):
        Journal(tmp_path, EventKey(f"key-{number:04d}")).append("s", {"kind": "turn"})
    keys = Journal(tmp_path).path("s").with_suffix(KEY_SUFFIX).read_text().split("\n")[:-1]
    assert KEY_INDEX_KEEP <= len(keys) <= 2 * KEY_INDEX_KEEP
    assert keys[-1].split()[0] == f"key-{3 * KEY_INDEX_KEEP - 1:04d}"
    recent = Journal(tmp_path, EventKey(f"key-{3 * KEY_INDEX_KEEP - 2:04d}"))
    assert recent.append("s", {"kind": "turn"}).duplicate


def test_a_parking_detach_marks_exactly_the_records_it_takes(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    for event in ("prompt", "stop"):
        journal.append("s", {"kind": "turn", "event": event})
    taken = journal.path("s").with_name("s.taken")
    journal.detach(journal.path("s"), taken)  # an ordinary flush: no marker
    for event in ("prompt", "stop", "end"):
        journal.append("s", {"kind": "turn", "event": event})
    parked = journal.path("s").with_name("s.parked")
    with parking({"source": "git", "commit": "c0ffee", "detail": {"by": "pre-push"}}):
        detached = journal.detach(journal.path("s"), parked)
    assert detached is not None
    lines = detached.data.decode().splitlines()
    marker = json.loads(lines[-1])
    assert (marker["kind"], marker["event"], marker["commit"]) == ("session", "parked", "c0ffee")
    assert marker["detail"] == {"by": "pre-push", "first_seq": 2, "last_seq": 4}
    assert (marker["seq"], marker["prev"]) == (5, hashlib.sha256(lines[-2].encode()).hexdigest())
    assert parked.read_text().splitlines() == lines  # what notes get is what the file held
    after = journal.append("s", {"kind": "turn", "event": "prompt"})
    assert after.record["seq"] == 6  # the chain goes on after the marker
    assert "parked" not in taken.read_text()
