"""The one-pass verified read (``agentgov check``'s) is the two separate reads, exactly.

``verified_trail`` must return what ``verify_trail`` and ``read_slim_trail(pending=False)``
return on the same repository: the same problems in the same order, the same facts and
links, the same counts of blobs read and cached. Each test builds a real trail (records
flushed into git notes on several commits), then damages it the ways verify is there to
catch, with git plumbing that stores the exact bytes given (no message clean-up), and
compares the two, read by one process and by two (the forked child reading half the
notes), with the slim cache cold, warm and corrupt.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from agentgov.audit.flush import flush_journal
from agentgov.audit.journal import Journal
from agentgov.audit.verify import VerifyReport, verify_trail
from agentgov.errors import GitError
from agentgov.evidence import cache_file, trail_read
from agentgov.evidence.trail_read import TrailRead, read_slim_trail
from agentgov.evidence.verified_read import verified_trail
from agentgov.git_layout import RepoLayout, find_repo
from tests.audit.conftest import decision, turn
from tests.conftest import GIT_IDENTITY, git

REF = "refs/notes/agentgov"


def plumbing(repo: Path, *args: str, data: bytes = b"", index: Path | None = None) -> bytes:
    """git with bytes in and out, and optionally a private index (GIT_INDEX_FILE)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_IDENTITY, GIT_CONFIG_NOSYSTEM="1", HOME=str(repo))
    if index is not None:
        env["GIT_INDEX_FILE"] = str(index)
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, input=data, capture_output=True, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def store_notes(repo: Path, notes: dict[str, bytes | None]) -> None:
    """One notes commit on REF that sets each path to exactly the given bytes (None: the
    path removed). A path is ``ab/cdef…`` (fan-out, as agentgov writes) or flat."""
    index = repo.parent / "notes-index"
    plumbing(repo, "read-tree", REF, index=index)
    for path, content in notes.items():
        if content is None:
            plumbing(repo, "update-index", "--force-remove", "--", path, index=index)
            continue
        blob = plumbing(repo, "hash-object", "-w", "--stdin", data=content).decode().strip()
        plumbing(repo, "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", index=index)
    tree = plumbing(repo, "write-tree", index=index).decode().strip()
    tip = git(repo, "rev-parse", REF).strip()
    commit = plumbing(repo, "commit-tree", tree, "-p", tip, data=b"Notes rewritten\n")
    git(repo, "update-ref", REF, commit.decode().strip(), tip)
    index.unlink()


def fanout(commit: str) -> str:
    return f"{commit[:2]}/{commit[2:]}"


def note(repo: Path, commit: str) -> list[bytes]:
    raw = plumbing(repo, "notes", "--ref", REF, "show", commit)
    return [line for line in raw.split(b"\n") if line]


def block(lines: list[bytes]) -> bytes:
    return b"".join(line + b"\n" for line in lines)


def edited(line: bytes, **fields: Any) -> bytes:
    record = json.loads(line)
    record.update(fields)
    return json.dumps(record, sort_keys=True, separators=(",", ":")).encode()


class Trail:
    """A repository whose notes hold three sessions' records over four commits."""

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        found = find_repo(repo)
        assert found is not None
        self.layout: RepoLayout = found
        self.commits: list[str] = []

    def flush(self, message: str, records: list[tuple[str, dict[str, Any]]]) -> str:
        git(self.repo, "commit", "-q", "--allow-empty", "-m", message)
        journal = Journal(self.layout.state_dir)
        for session, fields in records:
            journal.append(session, fields)
        flush_journal(self.layout, REF)
        commit = git(self.repo, "rev-parse", "HEAD").strip()
        self.commits.append(commit)
        return commit

    def cold(self) -> None:
        for shard in (self.layout.state_dir / "cache").glob("trail-*.marshal"):
            shard.unlink()


def build(repo: Path) -> Trail:
    trail = Trail(repo)
    first = trail.flush(
        "one",
        [
            ("s", turn("prompt")),
            ("s", decision(input="make test", tool_use_id="toolu_1", decision="ask")),
            ("s", {"source": "claude-code", "kind": "outcome", "tool": "Bash",
                   "tool_use_id": "toolu_1", "ok": True}),
            ("s", decision(tool="Edit", input="src/app.py", tool_use_id="toolu_2",
                           **{"class": "local"})),
            ("s", turn("stop", interrupted=False, duration_ms=1200,
                       detail={"rejections": 1, "interruptions": 0})),
        ],
    )  # fmt: skip
    trail.flush(
        "two",
        [
            ("git-1", {"source": "git", "kind": "session", "event": "commit",
                       "commit": first, "detail": {"marker": "CLAUDECODE"}}),
            ("t", turn("prompt")),
            ("t", decision(input="rm -rf build", tool_use_id="toolu_3", decision="deny")),
            ("s", turn("prompt")),
        ],
    )  # fmt: skip
    trail.flush(
        "three",
        [
            ("ci-7", {"source": "ci", "kind": "ci", "commit": first, "verdict": "pass",
                      "detail": {}}),
            ("cli-1", {"source": "cli", "kind": "review", "commit": first,
                       "verdict": "disagree", "detail": {"sample": 1}}),
            ("cli-1", {"source": "cli", "kind": "incident", "commit": first,
                       "task_class": "default", "detail": {"event": "open", "id": "INC-1"}}),
            ("t", turn("stop", interrupted=True, duration_ms=90,
                       detail={"interruptions": 1})),
        ],
    )  # fmt: skip
    trail.flush("four", [("s", decision(input="ls", tool_use_id="toolu_4"))])
    return trail


@pytest.fixture
def trail(tmp_path: Path) -> Trail:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "commit", "-q", "--allow-empty", "-m", "initial")
    return build(repo)


def separate(trail: Trail) -> tuple[VerifyReport, TrailRead]:
    return verify_trail(trail.repo, REF), read_slim_trail(trail.layout, REF, pending=False)


def assert_same(trail: Trail, parallel_from: int) -> tuple[VerifyReport, TrailRead]:
    """Cold (no slim cache on either side), then warm (the cache the cold run left)."""
    trail.cold()
    expected = separate(trail)
    trail.cold()
    got = verified_trail(trail.layout, REF, parallel_from=parallel_from)
    assert got == expected
    assert got[1].blobs_read == len({blob for _, blob in trail_read.note_blobs(listing(trail))})
    # the cold verified read left the cache a cold read_slim_trail leaves: now all warm
    warm = separate(trail)
    assert warm[1].blobs_read == 0
    assert verified_trail(trail.layout, REF, parallel_from=parallel_from) == warm
    assert warm[1].facts == expected[1].facts
    return got


def listing(trail: Trail) -> bytes:
    found = trail_read.list_notes(trail.repo, REF)
    assert found is not None
    return found


PARALLEL = pytest.mark.parametrize("parallel_from", [1, 1000], ids=["forked", "one-process"])


@PARALLEL
def test_a_clean_trail(trail: Trail, parallel_from: int) -> None:
    report, read = assert_same(trail, parallel_from)
    assert report.ok
    assert (report.records, report.sessions, report.notes_commits) == (14, 5, 4)
    assert (len(read.facts), read.unreadable) == (12, 0)
    assert read.links.verdicts
    assert read.links.incidents
    assert read.links.made


Damage = Callable[[Trail], None]


def edit_a_record(trail: Trail) -> None:
    commit = trail.commits[0]
    lines = note(trail.repo, commit)
    lines[1] = edited(lines[1], input="rm -rf /")
    store_notes(trail.repo, {fanout(commit): block(lines)})


def remove_a_record(trail: Trail) -> None:
    commit = trail.commits[0]
    lines = note(trail.repo, commit)
    store_notes(trail.repo, {fanout(commit): block(lines[:2] + lines[3:])})


def reorder_records(trail: Trail) -> None:
    commit = trail.commits[0]
    lines = note(trail.repo, commit)
    lines[1], lines[2] = edited(lines[2], seq=1), edited(lines[1], seq=2)
    store_notes(trail.repo, {fanout(commit): block(lines)})


def duplicate_in_one_note(trail: Trail) -> None:
    commit = trail.commits[1]
    lines = note(trail.repo, commit)
    store_notes(trail.repo, {fanout(commit): block([*lines, lines[0]])})


def fork_a_session(trail: Trail) -> None:
    """Another version of seq 1 of session t, on another commit."""
    lines = note(trail.repo, trail.commits[1])
    other = edited(lines[2], input="echo another writer")
    last = trail.commits[3]
    store_notes(trail.repo, {fanout(last): block([*note(trail.repo, last), other])})


def unreadable_lines(trail: Trail) -> None:
    """Not JSON, not an object, no version, a newer version, a record wrong in a field
    evidence never reads (verify rejects it, the slim reading counts it), one wrong in a
    field it reads, invalid UTF-8 and JSON nested too deep to read; the first three once
    more on another note."""
    lines = note(trail.repo, trail.commits[2])
    good = json.loads(lines[-1])  # session t's stop turn
    bad = [
        b"{not json",
        b"[1, 2]",
        b'{"kind": "turn"}',
        json.dumps({**good, "v": 2}).encode(),
        json.dumps({**good, "seq": 9, "prev": "not a digest"}).encode(),
        json.dumps({**good, "seq": 10, "duration_ms": "12"}).encode(),
        b'{"v": 1, "session": "\xff\xfe"}',
        b"[" * 100_000,  # deeper than json can read: a problem, never a crash
    ]
    store_notes(
        trail.repo,
        {
            fanout(trail.commits[2]): block([*lines, *bad]),
            fanout(trail.commits[3]): block([*note(trail.repo, trail.commits[3]), *bad[:3]]),
        },
    )


def odd_bytes(trail: Trail) -> None:
    """A record behind a byte-order mark (json reads it from the bytes, but its text, the
    one the chain hashes, is empty: the next record, naming the line's own sha256, does
    not chain to it), a record with a trailing CR beside the same record without (two
    lines to verify, one to the slim reading), a seq written as 8.0 (an integer to
    JSON Schema, so a record to verify, but not one the slim reading takes), and a blank
    paragraph line."""
    commit = trail.commits[3]
    (line,) = note(trail.repo, commit)
    seq = json.loads(line)["seq"]
    marked = b"\xef\xbb\xbf" + edited(line, seq=seq + 1, prev=sha256(line))
    after = edited(line, seq=seq + 2, prev=sha256(marked), tool_use_id="toolu_5")
    floated = edited(line, seq=seq + 3, prev=sha256(after), tool_use_id="toolu_6")
    floated = floated.replace(f'"seq":{seq + 3}'.encode(), f'"seq":{seq + 3}.0'.encode())
    lines = [line, b"", marked, after, floated, line + b"\r"]
    store_notes(trail.repo, {fanout(commit): block(lines)})


def sha256(line: bytes) -> str:
    return hashlib.sha256(line).hexdigest()


def copy_to_every_note(trail: Trail) -> None:
    """A record and an unreadable line copied onto every note (as a rebase or reattach
    copies notes): the copies cross the two processes' halves, whichever way the notes
    sort, and the unreadable line's problem names every other place, in trail order."""
    shared = note(trail.repo, trail.commits[0])[0]
    store_notes(
        trail.repo,
        {
            fanout(commit): block([*note(trail.repo, commit), shared, b"{copied, not json"])
            for commit in trail.commits
        },
    )


def same_content_twice(trail: Trail) -> None:
    """Two commits whose notes are the same blob (a note copied onto a commit that had
    none): read twice for verify, once into the slim cache."""
    git(trail.repo, "commit", "-q", "--allow-empty", "-m", "amended")
    copy = git(trail.repo, "rev-parse", "HEAD").strip()
    store_notes(trail.repo, {fanout(copy): block(note(trail.repo, trail.commits[0]))})


def cut_a_session_short(trail: Trail) -> None:
    """Session s's last record removed: nothing in the chain shows it, the anchor does."""
    commit = trail.commits[3]
    store_notes(trail.repo, {fanout(commit): block(note(trail.repo, commit)[:-1])})


def move_a_note_to_a_flat_path(trail: Trail) -> None:
    """A note at ``abcd…`` rather than ``ab/cd…`` (as tools other than agentgov write
    them): both readers take it, and moving it lost nothing."""
    commit = trail.commits[1]
    store_notes(trail.repo, {commit: block(note(trail.repo, commit)), fanout(commit): None})


def remove_a_line_too_deep_to_read(trail: Trail) -> None:
    """A line of JSON nested too deep to read, added by one notes commit and removed by
    the next: the history check names the removal, whatever the line holds."""
    commit = trail.commits[0]
    lines = note(trail.repo, commit)
    store_notes(trail.repo, {fanout(commit): block([*lines, b"[" * 100_000])})
    store_notes(trail.repo, {fanout(commit): block(lines)})


def drop_a_note(trail: Trail) -> None:
    """A whole note deleted: every record it held is a lost line, the chains break."""
    store_notes(trail.repo, {fanout(trail.commits[1]): None})


DAMAGE = {
    "edited": (edit_a_record, {"line-changed", "edited"}),
    "removed": (remove_a_record, {"line-removed", "missing"}),
    "reordered": (reorder_records, {"line-changed", "out-of-order"}),
    "duplicated": (duplicate_in_one_note, {"duplicated"}),
    "fork": (fork_a_session, {"fork"}),
    "unreadable": (unreadable_lines, {"unreadable"}),
    "odd-bytes": (odd_bytes, {"fork", "edited"}),
    "copied": (copy_to_every_note, {"unreadable"}),
    "same-blob": (same_content_twice, set()),
    "cut-short": (cut_a_session_short, {"line-removed", "tip-missing"}),
    "note-dropped": (drop_a_note, {"line-removed", "missing"}),
    "flat-path": (move_a_note_to_a_flat_path, set()),
    "deep-line-removed": (remove_a_line_too_deep_to_read, {"line-removed"}),
}


@PARALLEL
@pytest.mark.parametrize("name", list(DAMAGE))
def test_a_damaged_trail(trail: Trail, name: str, parallel_from: int) -> None:
    damage, kinds = DAMAGE[name]
    damage(trail)
    report, _read = assert_same(trail, parallel_from)
    assert {problem.kind for problem in report.problems} >= kinds
    assert report.ok == (not kinds)


def test_a_record_wrong_only_where_evidence_does_not_read_is_a_problem_and_a_fact(
    trail: Trail,
) -> None:
    before = verified_trail(trail.layout, REF, parallel_from=1)
    unreadable_lines(trail)
    report, read = assert_same(trail, 1)
    messages = [problem.message for problem in report.problems if problem.kind == "unreadable"]
    assert any("prev" in message for message in messages)
    assert any("also at" in message for message in messages)  # the copy on commit 4
    # the bad prev still counts as a fact (a turn at seq 9); the bad duration does not
    assert len(read.facts) == len(before[1].facts) + 1
    assert any("nested too deep" in message for message in messages)
    assert read.unreadable == 7 + 3  # every bad line but the bad prev, copies counted


def test_a_corrupt_cache_is_read_again(trail: Trail) -> None:
    """Cache shards whose entries have the wrong shape: both reads read every blob again
    (each from the same corrupt cache) and count the same facts as before."""
    clean = assert_same(trail, 1)
    for shard in shards(trail):
        loaded = cache_file.load(shard)
        assert isinstance(loaded, dict)
        cache_file.save(shard, dict.fromkeys(loaded, (0, b"", [("bad",)])))
    expected, got = from_the_same_cache(trail)
    assert got == expected
    assert expected[1].facts == clean[1].facts


@PARALLEL
def test_a_cache_older_than_the_notes(trail: Trail, parallel_from: int) -> None:
    """A cache, then a line added to the last note in tree order (the child's, when there
    is one): each read reads that one blob again, and the child, which takes no slims
    where a cache exists, leaves it to the parent."""
    assert_same(trail, parallel_from)
    last, _blob = trail_read.note_blobs(listing(trail))[-1]
    store_notes(trail.repo, {fanout(last): block([*note(trail.repo, last), b"{late"])})
    expected, got = from_the_same_cache(trail, parallel_from)
    assert got == expected
    assert (expected[1].blobs_read, expected[1].unreadable) == (1, 1)


def shards(trail: Trail) -> list[Path]:
    return sorted((trail.layout.state_dir / "cache").glob("trail-*.marshal"))


def from_the_same_cache(
    trail: Trail, parallel_from: int = 1
) -> tuple[tuple[VerifyReport, TrailRead], tuple[VerifyReport, TrailRead]]:
    """The separate reads and the one pass, each from the cache as it is now (each
    stores what it read: the cache is put back in between)."""
    saved = {shard: shard.read_bytes() for shard in shards(trail)}
    expected = separate(trail)
    for shard in shards(trail):
        shard.unlink()
    for shard, data in saved.items():
        shard.write_bytes(data)
    return expected, verified_trail(trail.layout, REF, parallel_from=parallel_from)


def test_a_note_blob_git_cannot_read_fails_as_verify_fails(trail: Trail) -> None:
    """A notes tree naming a blob the repository lacks (``git mktree --missing``): an
    error that names the blob, never a trail read without it."""
    missing = "0123456789abcdef0123456789abcdef01234567"
    commit = trail.commits[1]
    listing = plumbing(trail.repo, "ls-tree", f"{REF}:{commit[:2]}").decode()
    entries = [e for e in listing.splitlines() if not e.endswith(commit[2:])]
    entries.append(f"100644 blob {missing}\t{commit[2:]}")
    subtree = plumbing(trail.repo, "mktree", "--missing", data="\n".join(entries).encode())
    root = plumbing(trail.repo, "ls-tree", REF).decode().splitlines()
    root = [e for e in root if not e.endswith(f"\t{commit[:2]}")]
    root.append(f"040000 tree {subtree.decode().strip()}\t{commit[:2]}")
    tree = plumbing(trail.repo, "mktree", "--missing", data="\n".join(root).encode())
    tip = git(trail.repo, "rev-parse", REF).strip()
    notes = plumbing(trail.repo, "commit-tree", tree.decode().strip(), "-p", tip, data=b"x\n")
    git(trail.repo, "update-ref", REF, notes.decode().strip(), tip)
    # verify fails too (reading the few blobs of a small trail through libgit2, its error
    # is libgit2's; from 200 blobs on it reads through git cat-file and says this)
    with pytest.raises(Exception, match=missing):
        verify_trail(trail.repo, REF)
    with pytest.raises(GitError, match=f"cannot read {missing}"):
        verified_trail(trail.layout, REF, parallel_from=1)


def test_a_note_split_over_two_blobs_is_read_as_verify_reads_it(trail: Trail) -> None:
    """A flat note beside the fan-out one for the same commit (another tool wrote it):
    verify joins them into one note; the separate reads decide."""
    commit = trail.commits[2]
    lines = note(trail.repo, commit)
    store_notes(trail.repo, {commit: block(lines[:2]), fanout(commit): block(lines[2:])})
    trail.cold()
    expected = separate(trail)
    trail.cold()
    assert verified_trail(trail.layout, REF, parallel_from=1) == expected
    assert expected[0].ok


def test_a_short_ref_name_and_a_missing_ref(trail: Trail) -> None:
    trail.cold()
    expected = (
        verify_trail(trail.repo, "agentgov"),
        read_slim_trail(trail.layout, "agentgov", pending=False),
    )
    trail.cold()
    assert verified_trail(trail.layout, "agentgov") == expected
    missing = verified_trail(trail.layout, "refs/notes/none")
    assert missing == separate_of(trail, "refs/notes/none")
    assert not missing[0].found
    assert missing[1].facts == ()


def separate_of(trail: Trail, ref: str) -> tuple[VerifyReport, TrailRead]:
    return verify_trail(trail.repo, ref), read_slim_trail(trail.layout, ref, pending=False)
