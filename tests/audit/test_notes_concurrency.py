"""Concurrent writers lose nothing: the compare-and-swap under real contention.

``git notes append`` and libgit2's ``create_note`` lose 20-45 % of records with just two
writers (shared/reference/git-notes.md). Here eight processes start together at a barrier
and append as fast as they can; every record must survive, and the repository must stay
consistent for git itself.
"""

from __future__ import annotations

import multiprocessing
import time
from typing import TYPE_CHECKING

from agentgov.audit.notes import NotesStore
from tests.conftest import git

if TYPE_CHECKING:
    from multiprocessing.queues import Queue
    from multiprocessing.synchronize import Barrier
    from pathlib import Path

PROCESSES = 8
APPENDS = 250


def _writer(
    path: str, commits: list[str], proc: int, barrier: Barrier, out: Queue[int | str]
) -> None:
    """Append APPENDS records, one per call, cycling over ``commits``; report the retries
    (or the error, so the parent fails at once instead of waiting out a timeout)."""
    try:
        store = NotesStore(path)
        barrier.wait(timeout=60)
        retries = 0
        for seq in range(APPENDS):
            record = f'{{"proc":{proc},"seq":{seq}}}'.encode()
            result = store.append(commits[seq % len(commits)], [record])
            retries += result.attempts - 1
    except Exception as exc:  # noqa: BLE001 -- reported to the parent, which fails
        out.put(f"writer {proc}: {exc!r}")
    else:
        out.put(retries)


def _run_writers(path: Path, commits_per_proc: list[list[str]]) -> tuple[float, int]:
    """Run one spawned writer per entry, all released at once; return (seconds, retries)."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES + 1)
    out: Queue[int | str] = context.Queue()
    workers = [
        context.Process(target=_writer, args=(str(path), commits, proc, barrier, out))
        for proc, commits in enumerate(commits_per_proc)
    ]
    for worker in workers:
        worker.start()
    barrier.wait(timeout=60)  # every writer has imported and opened its store
    started = time.monotonic()
    reports = [out.get(timeout=120) for _ in workers]
    elapsed = time.monotonic() - started
    errors = [report for report in reports if isinstance(report, str)]
    assert not errors
    for worker in workers:
        worker.join(timeout=10)
        assert worker.exitcode == 0
    return elapsed, sum(report for report in reports if isinstance(report, int))


def _records(path: Path) -> list[bytes]:
    return [
        line
        for _, content in NotesStore(path).iter_notes()
        for line in content.split(b"\n")
        if line
    ]


def _expected() -> set[bytes]:
    return {
        f'{{"proc":{proc},"seq":{seq}}}'.encode()
        for proc in range(PROCESSES)
        for seq in range(APPENDS)
    }


def test_eight_writers_on_one_commit_keep_every_record(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD").strip()

    elapsed, retries = _run_writers(repo, [[head]] * PROCESSES)

    records = _records(repo)
    assert len(records) == PROCESSES * APPENDS
    assert set(records) == _expected()
    assert git(repo, "rev-list", "--count", "refs/notes/agentgov").strip() == "2000"
    git(repo, "fsck", "--strict", "--no-progress")
    print(f"8x250 appends to one commit: {elapsed:.1f}s, {retries} lost races retried")


def test_eight_writers_on_distinct_commits_keep_every_record(repo: Path) -> None:
    for n in range(PROCESSES * 2):
        git(repo, "commit", "-q", "--allow-empty", "-m", f"c{n}")
    commits = git(repo, "rev-list", "HEAD").split()[: PROCESSES * 2]
    # Each writer owns two commits, so the notes differ while the ref is shared.
    owned = [commits[2 * proc : 2 * proc + 2] for proc in range(PROCESSES)]

    elapsed, retries = _run_writers(repo, owned)

    store = NotesStore(repo)
    for proc, pair in enumerate(owned):
        for index, commit in enumerate(pair):
            lines = store.read(commit).split(b"\n")[:-1]
            assert lines == [
                f'{{"proc":{proc},"seq":{seq}}}'.encode() for seq in range(index, APPENDS, 2)
            ]
    assert set(_records(repo)) == _expected()
    git(repo, "fsck", "--strict", "--no-progress")
    print(f"8x250 appends to 16 commits: {elapsed:.1f}s, {retries} lost races retried")
