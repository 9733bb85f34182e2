"""Reading the trail: bad lines reported with their place and skipped, copies read once,
pending records, shallow clones, and a fast schema check that never overrules the schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agentgov.audit.flush import flush_journal
from agentgov.audit.journal import FLUSHING_SUFFIX
from agentgov.audit.record_check import _validator, compile_schema, compiled_check, schema_error
from agentgov.audit.records import Problem, iter_records, read_trail
from agentgov.audit.sync import pull
from agentgov.git_layout import find_repo
from tests.audit.conftest import REF, decision, journal_of, turn
from tests.conftest import git


def flush(repo: Path) -> None:
    layout = find_repo(repo)
    assert layout is not None
    flush_journal(layout, REF)


def add_note(repo: Path, lines: list[str], commit: str = "HEAD") -> str:
    (repo.parent / "note.txt").write_text("".join(line + "\n" for line in lines))
    git(repo, "notes", "--ref", REF, "add", "-f", "-F", str(repo.parent / "note.txt"), commit)
    return git(repo, "rev-parse", commit).strip()


def test_corrupt_lines_are_reported_with_their_place_and_skipped(repo: Path) -> None:
    good = journal_of(repo).append("s", decision()).line
    no_class = {k: v for k, v in json.loads(good).items() if k != "class"}
    head = add_note(
        repo,
        [
            good,
            "not json at all",
            json.dumps({**json.loads(good), "v": 2}),
            json.dumps(no_class),
            "[1, 2]",
            json.dumps({"kind": "turn"}),
            json.dumps({**json.loads(good), "level": True}),
        ],
    )
    problems: list[Problem] = []
    records = list(iter_records(repo, REF, on_problem=problems.append))
    assert [r.text for r in records] == [good]
    c = head[:12]
    assert [(p.where, p.message.split("; line skipped")[0]) for p in problems] == [
        (f"{c}:2", "not JSON (Expecting value: line 1 column 1 (char 0))"),
        (
            f"{c}:3",
            "unknown record version v=2; this agentgov reads v1 (a newer agentgov wrote it? "
            "upgrade to read it)",
        ),
        (f"{c}:4", "not a valid v1 record: 'class' is a required property"),
        (f"{c}:5", "not a JSON object but list"),
        (f"{c}:6", "not an audit record: no version field v"),
        (f"{c}:7", "not a valid v1 record: level: True is not of type 'integer'"),
    ]
    assert all(p.commit == head for p in problems)


def test_a_record_on_several_commits_is_read_once_with_its_copies(repo: Path) -> None:
    line = journal_of(repo).append("s", turn("prompt")).line
    first = add_note(repo, [line])
    git(repo, "commit", "-q", "--allow-empty", "-m", "amended")
    second = add_note(repo, [line])
    (record,) = iter_records(repo, REF)
    assert {(record.commit, record.line), *record.copies} == {(first, 1), (second, 1)}


def test_pending_records_are_read_once_even_mid_flush(repo: Path) -> None:
    journal = journal_of(repo)
    journal.append("s", turn("prompt"))
    flush(repo)
    # A flush killed after writing notes leaves its .flushing file: the same records.
    leftover = journal.directory / f"s.{'0' * 40}.1-1{FLUSHING_SUFFIX}"
    leftover.write_text(git(repo, "notes", "--ref", REF, "show", "HEAD"))
    journal.append("s", turn("stop"))
    trail = read_trail(repo, REF, pending=True)
    assert [(r.seq, r.pending, r.where) for r in trail.records] == [
        (0, False, git(repo, "rev-parse", "HEAD")[:12] + ":1"),
        (1, True, ".git/agentgov/journal/s.jsonl:1"),
    ]
    assert trail.problems == ()


def test_a_shallow_clone_reads_notes_on_commits_it_does_not_have(
    repo: Path, tmp_path: Path
) -> None:
    journal = journal_of(repo)
    for n in range(3):
        git(repo, "commit", "-q", "--allow-empty", "-m", f"work {n}")
        journal.append("s", turn("prompt"))
        flush(repo)
    noted = git(repo, "log", "--format=%H", "-3").split()
    bare = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
    git(repo, "push", "-q", str(bare), f"{REF}:{REF}")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{bare}", str(shallow))
    pull(shallow, REF, "origin")
    assert git(shallow, "rev-list", "--count", "HEAD").strip() == "1"
    records = list(iter_records(shallow, REF))
    assert sorted(r.commit or "" for r in records) == sorted(noted)
    assert [r.seq for r in sorted(records, key=lambda r: r.seq)] == [0, 1, 2]


def record_variants() -> list[Any]:
    """Valid records and near misses, for the fast check against jsonschema."""
    valid = {
        "v": 1,
        "kind": "decision",
        "session": "s",
        "seq": 0,
        "prev": "",
        "ts": "2024-05-01T10:00:00.000Z",
        "decision": "ask",
        "class": "dynamic",
        "level": 3,
        "task_class": "default",
        "rules": ["a.b"],
        "branch": None,
    }
    turn_record = {k: v for k, v in valid.items() if k not in ("decision", "class", "level")}
    turn_record.update(kind="turn", event="stop", duration_ms=5, detail={"x": 1})
    return [
        valid,
        turn_record,
        {**turn_record, "kind": "outcome"},  # outcome needs ok
        {**turn_record, "kind": "outcome", "ok": True},
        {**valid, "v": 1.0},
        {**valid, "v": True},
        {**valid, "seq": -1},
        {**valid, "seq": 1.0},
        {**valid, "level": 6},
        {**valid, "prev": "A" * 64},
        {**valid, "prev": "a" * 64},
        {**valid, "session": ""},
        {**valid, "rules": ["ok", 3]},
        {**valid, "branch": 3},
        {**valid, "class": "other"},
        {**valid, "input": "x" * 4201},
        {**valid, "input": "x" * 4200},
        {**valid, "extra": 1},
        {**turn_record, "duration_ms": -1},
        {**turn_record, "detail": []},
        [valid],
        "text",
    ]


@pytest.mark.parametrize("record", record_variants())
def test_the_fast_check_never_accepts_what_the_schema_rejects(record: Any) -> None:
    valid = _validator().is_valid(record)
    if compiled_check()(record):
        assert valid
    if isinstance(record, dict):
        assert (schema_error(record) is None) == valid


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "additionalProperties": False, "oneOf": []},
        {"type": "object", "additionalProperties": False, "properties": {"a": {"format": "x"}}},
        {"type": "object", "properties": {}},
    ],
)
def test_a_schema_keyword_the_fast_check_does_not_know_is_refused(
    schema: dict[str, Any],
) -> None:
    with pytest.raises(ValueError, match=r"fast record check|closed object"):
        compile_schema(schema)


def cache_file(repo: Path) -> Path:
    layout = find_repo(repo)
    assert layout is not None
    (path,) = (layout.state_dir / "cache").glob("checked-notes-*")
    return path


def test_blobs_that_passed_the_schema_are_remembered_and_bad_ones_never(repo: Path) -> None:
    good = journal_of(repo).append("s", turn("prompt")).line
    good_commit = add_note(repo, [good])
    git(repo, "commit", "-q", "--allow-empty", "-m", "second")
    add_note(repo, [json.dumps({**json.loads(good), "seq": -1})])
    first = read_trail(repo, REF)
    assert (len(first.records), len(first.problems)) == (1, 1)
    blob = git(repo, "notes", "--ref", REF, "list", good_commit).strip()
    assert cache_file(repo).read_text() == f"{blob}\n"
    again = read_trail(repo, REF)  # the remembered blob is parsed, not checked again
    assert (again.records, len(again.problems)) == (first.records, 1)
    assert cache_file(repo).read_text() == f"{blob}\n"


def test_verify_never_trusts_the_cache(repo: Path) -> None:
    from agentgov.audit.verify import verify_trail

    good = journal_of(repo).append("s", turn("prompt")).line
    add_note(repo, [good])
    git(repo, "commit", "-q", "--allow-empty", "-m", "second")
    head = add_note(repo, [json.dumps({**json.loads(good), "seq": -1, "session": "t"})])
    read_trail(repo, REF)  # creates the cache, without the bad blob
    blob = git(repo, "notes", "--ref", REF, "list", head).strip()
    with cache_file(repo).open("a") as cache:
        cache.write(f"{blob}\n")  # someone with the clone vouches for it
    assert len(read_trail(repo, REF).records) == 2  # log and metrics take the cache's word
    report = verify_trail(repo, REF)
    assert [p.message.split(";")[0] for p in report.problems] == [
        "not a valid v1 record: seq: -1 is less than the minimum of 0"
    ]
