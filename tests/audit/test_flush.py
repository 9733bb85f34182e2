"""audit flush: journal records move into notes once, the chain continues, crashes recover."""

from __future__ import annotations

import fcntl
import json
import os
import sys
import threading
import time
from pathlib import Path

import pytest

from agentgov.audit.flush import flush_journal
from agentgov.audit.journal import FLUSHING_SUFFIX, Appended
from agentgov.audit.notes import NotesStore
from agentgov.audit.verify import verify_trail
from agentgov.git_layout import RepoLayout, find_repo
from tests.audit.conftest import REF, Agentgov, Ran, decision, install_hook, journal_of, turn
from tests.conftest import git


def layout_of(repo: Path) -> RepoLayout:
    found = find_repo(repo)
    assert found is not None
    return found


def note_lines(repo: Path, commit: str = "HEAD") -> list[str]:
    sha = git(repo, "rev-parse", commit).strip()
    return NotesStore(repo, REF).read(sha).decode().splitlines()


def test_flush_moves_every_session_into_the_note_of_head(repo: Path, agentgov: Agentgov) -> None:
    journal = journal_of(repo)
    written = [journal.append("s1", turn("prompt")), journal.append("s2", decision())]
    written.append(journal.append("s1", turn("stop")))
    ran = agentgov("audit", "flush")
    head = git(repo, "rev-parse", "HEAD").strip()
    assert ran == Ran(0, f"flushed 3 record(s) from 2 session(s) to {REF} on {head[:12]}\n", "")
    assert sorted(note_lines(repo)) == sorted(entry.line for entry in written)
    assert journal.sessions() == []
    assert journal.flushing() == []
    assert git(repo, "log", "-1", "--format=%s", REF).strip() == "Notes added by 'agentgov append'"


def test_the_chain_continues_across_flushes(repo: Path) -> None:
    journal = journal_of(repo)
    last = journal.append("s", turn("prompt"))
    flush_journal(layout_of(repo), REF)
    assert journal.path("s").with_suffix(".tip").read_text() == f"0 {last.digest}\n"
    after = journal.append("s", turn("stop"))
    assert (after.record["seq"], after.record["prev"]) == (1, last.digest)
    flush_journal(layout_of(repo), REF)
    assert len(note_lines(repo)) == 2
    assert verify_trail(repo, REF).ok


def test_flush_attaches_to_the_commit_given(repo: Path, agentgov: Agentgov) -> None:
    git(repo, "commit", "-q", "--allow-empty", "-m", "second")
    journal_of(repo).append("s", turn("prompt"))
    assert agentgov("audit", "flush", "--commit", "HEAD~1").code == 0
    assert len(note_lines(repo, "HEAD~1")) == 1
    assert note_lines(repo, "HEAD") == []


def test_an_unknown_commit_is_a_usage_error_and_keeps_the_journal(
    repo: Path, agentgov: Agentgov
) -> None:
    journal_of(repo).append("s", turn("prompt"))
    ran = agentgov("audit", "flush", "--commit", "no-such-thing")
    assert (ran.code, ran.err) == (
        2,
        f"agentgov: --commit no-such-thing: no such commit in {repo}\n",
    )
    assert len(journal_of(repo).sessions()) == 1


def test_without_commits_the_records_stay_in_the_journal(
    tmp_path: Path, agentgov: Agentgov, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty"
    git(tmp_path, "init", "-q", "-b", "main", str(empty))
    monkeypatch.chdir(empty)
    journal_of(empty).append("s", turn("prompt"))
    journal_of(empty).append("s", turn("stop"))
    ran = agentgov("audit", "flush")
    assert ran.code == 0
    assert ran.err == (
        "no commit to attach records to yet (the repository has no commits): "
        "2 record(s) stay in the journal until the first commit\n"
    )
    assert journal_of(empty).path("s").read_text().count("\n") == 2


def test_nothing_to_flush(repo: Path, agentgov: Agentgov) -> None:
    assert agentgov("audit", "flush") == Ran(0, "nothing to flush\n", "")


def detach_all(repo: Path) -> str:
    """Step 1 of a flush (tip, rename), as a flush killed right after it leaves things."""
    journal = journal_of(repo)
    head = git(repo, "rev-parse", "HEAD").strip()
    for path in journal.sessions():
        name = path.name.removesuffix(".jsonl")
        journal.detach(path, path.with_name(f"{name}.{head}.1-1{FLUSHING_SUFFIX}"))
    return head


def test_a_flush_killed_before_writing_notes_is_finished_by_the_next(repo: Path) -> None:
    journal = journal_of(repo)
    first = [journal.append("s", turn("prompt")), journal.append("s", turn("stop"))]
    detach_all(repo)
    later = journal.append("s", turn("prompt"))  # the hook kept appending meanwhile
    assert later.record["seq"] == 2
    result = flush_journal(layout_of(repo), REF)
    assert (result.moved, result.recovered, result.already_in_notes) == (3, 2, 0)
    assert sorted(note_lines(repo)) == sorted(e.line for e in [*first, later])
    assert journal.flushing() == []
    assert verify_trail(repo, REF, pending=True).ok


def test_a_flush_killed_after_writing_notes_does_not_write_them_twice(repo: Path) -> None:
    journal = journal_of(repo)
    written = [journal.append("s", turn("prompt")), journal.append("s", turn("stop"))]
    head = detach_all(repo)
    (leftover,) = journal.flushing()
    NotesStore(repo, REF).append(head, leftover.read_bytes().splitlines())  # then killed
    result = flush_journal(layout_of(repo), REF)
    assert (result.moved, result.recovered, result.already_in_notes) == (0, 0, 2)
    assert sorted(note_lines(repo)) == sorted(e.line for e in written)
    assert journal.flushing() == []


def test_leftovers_keep_the_commit_they_were_meant_for(repo: Path) -> None:
    journal = journal_of(repo)
    journal.append("s", turn("prompt"))
    detach_all(repo)
    git(repo, "commit", "-q", "--allow-empty", "-m", "second")
    journal.append("s", turn("stop"))
    flush_journal(layout_of(repo), REF)
    assert [json.loads(line)["seq"] for line in note_lines(repo, "HEAD~1")] == [0]
    assert [json.loads(line)["seq"] for line in note_lines(repo, "HEAD")] == [1]


def open_descriptors(path: Path) -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}") == str(path):
                count += 1
        except OSError:
            continue
    return count


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/fd")
def test_an_appender_waiting_on_a_renamed_file_appends_to_the_new_one(repo: Path) -> None:
    """The race the inode check closes: an appender opened the file, then a flush renamed
    it while the appender waited for the lock."""
    journal = journal_of(repo)
    first = journal.append("s", turn("prompt"))
    path = journal.path("s").resolve()
    holder = os.open(path, os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)  # what detach holds while it renames
    done: list[Appended] = []
    appender = threading.Thread(target=lambda: done.append(journal.append("s", turn("stop"))))
    appender.start()
    deadline = time.monotonic() + 10
    while open_descriptors(path) < 2 and time.monotonic() < deadline:
        time.sleep(0.001)  # until the appender has opened the file and waits for the lock
    assert open_descriptors(path) == 2
    renamed = path.with_name(f"s.x.1-1{FLUSHING_SUFFIX}")
    path.with_suffix(".tip").write_text(f"0 {first.digest}\n")
    os.rename(path, renamed)
    os.close(holder)
    appender.join(timeout=10)
    assert renamed.read_text() == first.line + "\n"  # nothing written where no flush looks
    (second,) = done
    assert path.read_text() == second.line + "\n"
    assert (second.record["seq"], second.record["prev"]) == (1, first.digest)


def test_a_torn_last_line_is_moved_and_the_chain_continues_from_the_last_record(
    repo: Path,
) -> None:
    journal = journal_of(repo)
    good = journal.append("s", turn("prompt"))
    with journal.path("s").open("a") as handle:
        handle.write('{"kind":"turn","se')  # a writer died mid-line
    flush_journal(layout_of(repo), REF)
    assert journal.path("s").with_suffix(".tip").read_text() == f"0 {good.digest}\n"
    after = journal.append("s", turn("stop"))
    assert (after.record["seq"], after.record["prev"]) == (1, good.digest)
    flush_journal(layout_of(repo), REF)
    report = verify_trail(repo, REF)
    assert [problem.message.split(" (")[0] for problem in report.problems] == ["not JSON"]


def test_flush_from_a_post_commit_hook_attaches_to_the_new_commit(repo: Path) -> None:
    log = install_hook(repo, "post-commit", "audit", "flush")
    journal_of(repo).append("s", turn("prompt"))
    (repo / "work.txt").write_text("work\n")
    git(repo, "add", "work.txt")
    git(repo, "commit", "-q", "-m", "work")  # git runs the hook with its own GIT_* set
    head = git(repo, "rev-parse", "HEAD").strip()
    assert log.read_text() == f"flushed 1 record(s) from 1 session(s) to {REF} on {head[:12]}\n"
    assert len(note_lines(repo)) == 1
    assert git(repo, "status", "--porcelain") == ""  # the index git passed was left alone
