"""Concurrent writers lose nothing: the compare-and-swap under real contention.

``git notes append`` and libgit2's ``create_note`` lose 20-45 % of records with just two
writers (docs/design.md#6-the-audit-trail). Here eight processes start together at a barrier
and append as fast as they can; every record must survive, and the repository must stay
consistent for git itself.
"""

from __future__ import annotations

import multiprocessing
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from agentgov.audit.notes import BackendName, NotesStore
from tests.conftest import git

if TYPE_CHECKING:
    from collections.abc import Iterator
    from multiprocessing.queues import Queue
    from multiprocessing.synchronize import Barrier


@dataclass(frozen=True)
class Run:
    """One writer per entry of ``commits``; writer ``p`` cycles over ``commits[p]``."""

    path: str
    commits: list[list[str]]
    appends: int
    backend: BackendName = "libgit2"


@pytest.fixture
def repo(repo: Path) -> Iterator[Path]:
    """The shared ``repo`` fixture, removed afterwards: 2,000 appends to one note leave about 30,000
    loose objects (every version of a growing blob, and the objects of lost races), some
    130 MB that pytest would otherwise keep for its last three runs."""
    yield repo
    shutil.rmtree(repo, ignore_errors=True)


def record(proc: int, seq: int) -> bytes:
    return f'{{"proc":{proc},"seq":{seq}}}'.encode()


def _writer(run: Run, proc: int, barrier: Barrier, out: Queue[int | str]) -> None:
    """Append ``run.appends`` records one call at a time; report the retries, or the
    error, so the parent fails at once instead of waiting out a timeout."""
    try:
        store = NotesStore(run.path, backend=run.backend)
        mine = run.commits[proc]
        barrier.wait(timeout=60)
        retries = 0
        for seq in range(run.appends):
            result = store.append(mine[seq % len(mine)], [record(proc, seq)])
            retries += result.attempts - 1
    except Exception as exc:  # noqa: BLE001 -- reported to the parent, which fails
        out.put(f"writer {proc}: {exc!r}")
    else:
        out.put(retries)


def run_writers(run: Run) -> tuple[float, int]:
    """Start every writer, release them together; return (seconds, lost races retried)."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(run.commits) + 1)
    out: Queue[int | str] = context.Queue()
    workers = [
        context.Process(target=_writer, args=(run, proc, barrier, out))
        for proc in range(len(run.commits))
    ]
    for worker in workers:
        worker.start()
    barrier.wait(timeout=60)  # every writer has imported pygit2 and opened its store
    started = time.monotonic()
    reports = [out.get(timeout=120) for _ in workers]
    elapsed = time.monotonic() - started
    for worker in workers:
        worker.join(timeout=10)
    assert [r for r in reports if isinstance(r, str)] == []
    assert [worker.exitcode for worker in workers] == [0] * len(workers)
    return elapsed, sum(r for r in reports if isinstance(r, int))


def _first_writer(
    repos: list[tuple[str, str]], proc: int, barrier: Barrier, out: Queue[int | str]
) -> None:
    """In each repository in turn, make one of the racing first appends."""
    try:
        for path, head in repos:
            store = NotesStore(path)
            barrier.wait(timeout=60)
            store.append(head, [record(proc, 0)])
    except Exception as exc:  # noqa: BLE001 -- reported to the parent, which fails
        out.put(f"writer {proc}: {exc!r}")
    else:
        out.put(0)


def all_records(path: Path) -> list[bytes]:
    return [
        line
        for _, content in NotesStore(path).iter_notes()
        for line in content.split(b"\n")
        if line
    ]


def expected(writers: int, appends: int) -> set[bytes]:
    return {record(proc, seq) for proc in range(writers) for seq in range(appends)}


def test_eight_writers_on_one_commit_keep_all_2000_records(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD").strip()

    elapsed, retries = run_writers(Run(str(repo), [[head]] * 8, appends=250))

    records = all_records(repo)
    assert len(records) == 2000
    assert set(records) == expected(8, 250)
    assert git(repo, "rev-list", "--count", "refs/notes/agentgov").strip() == "2000"
    git(repo, "fsck", "--strict", "--no-progress")
    print(f"8x250 appends to one commit: {elapsed:.1f}s, {retries} lost races retried")


def test_eight_writers_on_distinct_commits_keep_every_record(repo: Path) -> None:
    for n in range(16):
        git(repo, "commit", "-q", "--allow-empty", "-m", f"c{n}")
    commits = git(repo, "rev-list", "HEAD").split()[:16]
    # Each writer owns two commits, so the notes differ while the ref is shared.
    owned = [commits[2 * proc : 2 * proc + 2] for proc in range(8)]

    elapsed, retries = run_writers(Run(str(repo), owned, appends=125))

    store = NotesStore(repo)
    for proc, pair in enumerate(owned):
        for index, commit in enumerate(pair):
            assert store.read(commit).split(b"\n")[:-1] == [
                record(proc, seq) for seq in range(index, 125, 2)
            ]
    assert set(all_records(repo)) == expected(8, 125)
    git(repo, "fsck", "--strict", "--no-progress")
    print(f"8x125 appends to 16 commits: {elapsed:.1f}s, {retries} lost races retried")


def test_git_cli_writers_keep_every_record(repo: Path) -> None:
    """The reftable fallback relies on ``git update-ref <ref> <new> <old>`` as its CAS;
    fewer appends, since each costs about ten git processes."""
    head = git(repo, "rev-parse", "HEAD").strip()

    elapsed, retries = run_writers(Run(str(repo), [[head]] * 4, appends=25, backend="git"))

    assert sorted(all_records(repo)) == sorted(expected(4, 25))
    git(repo, "fsck", "--strict", "--no-progress")
    print(f"git CLI 4x25 appends to one commit: {elapsed:.1f}s, {retries} lost races retried")


def test_racing_first_appends_create_the_ref_once(tmp_path: Path) -> None:
    """Creating the notes ref is a race of its own: libgit2's create-if-absent checks
    before it locks, so two first writers could both "create" it. 8 writers race for
    the first append in each of 30 fresh repositories; all 8 records must be there."""
    repos = []
    for n in range(30):
        path = tmp_path / f"r{n}"
        git(tmp_path, "init", "-q", str(path))
        git(path, "commit", "-q", "--allow-empty", "-m", "x")
        repos.append((str(path), git(path, "rev-parse", "HEAD").strip()))
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(8)
    out: Queue[int | str] = context.Queue()
    workers = [
        context.Process(target=_first_writer, args=(repos, proc, barrier, out)) for proc in range(8)
    ]
    for worker in workers:
        worker.start()
    reports = [out.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=10)

    assert reports == [0] * 8
    for where, _ in repos:
        assert sorted(all_records(Path(where))) == sorted(expected(8, 1)), where
