"""The journal: per-session files, a hash chain that survives flushes, safe file names."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from agentgov.audit.journal import Journal, JournalError, clip, session_file_name


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
