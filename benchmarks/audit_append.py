"""Time an audit append as the notes ref grows, and a full read of the trail.

docs/design.md#7-budgets asks that an append cost O(1) in the number of existing notes. This builds
repositories of 10,000 commits with git fast-import, holding 0, 1,000 and 10,000 notes in
git's fan-out layout (and 10,000 in the flat layout libgit2 writes), then prints the median
time of an append to a random commit, and the time to iterate every note.

    .venv/bin/python benchmarks/audit_append.py [--appends 200]

Prints numbers and ratios measured in this one run; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from agentgov.audit.notes import DEFAULT_REF, NotesStore

COMMITS = 10_000
IDENTITY = "Bench <bench@example.com> 1700000000 +0000"


def _git(repo: Path, *args: str, data: bytes = b"") -> bytes:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, input=data, capture_output=True, check=True
    )
    return done.stdout


def _data(text: str) -> bytes:
    raw = text.encode()
    return b"data %d\n%s\n" % (len(raw), raw)


def build_repo(root: Path, notes: int, *, flat: bool) -> tuple[Path, list[str]]:
    """A repository of COMMITS commits whose first ``notes`` commits carry a note."""
    repo = root / f"repo-{notes}-{'flat' if flat else 'fanout'}"
    _git(root, "init", "-q", str(repo))
    _git(repo, "config", "user.name", "Bench")
    _git(repo, "config", "user.email", "bench@example.com")
    stream = bytearray()
    for n in range(1, COMMITS + 1):
        stream += b"commit refs/heads/main\nmark :%d\ncommitter %s\n" % (n, IDENTITY.encode())
        stream += _data(f"commit {n}")
    marks = repo / ".git" / "bench-marks"
    _git(repo, "fast-import", "--quiet", f"--export-marks={marks}", data=bytes(stream))
    commits = [line.split()[1] for line in marks.read_text().splitlines()]
    if notes:
        stream = bytearray(b"commit %s\ncommitter %s\n" % (DEFAULT_REF.encode(), IDENTITY.encode()))
        stream += _data("existing notes")
        for n, commit in enumerate(commits[:notes]):
            path = commit if flat else f"{commit[:2]}/{commit[2:]}"
            record = f'{{"v":1,"kind":"decision","seq":{n}}}\n'
            stream += b"M 100644 inline %s\n%s" % (path.encode(), _data(record)[:-1])
        _git(repo, "fast-import", "--quiet", data=bytes(stream))
    return repo, commits


Scenario = tuple[int, str]
"""(existing notes, layout)."""


def time_appends(
    scenarios: dict[Scenario, tuple[Path, list[str]]], appends: int
) -> dict[Scenario, list[float]]:
    """Seconds per append, each to a random commit. The scenarios take turns, so load from
    other processes on the machine falls on all of them alike."""
    stores = {key: NotesStore(repo) for key, (repo, _) in scenarios.items()}
    rng = random.Random(7)
    times: dict[Scenario, list[float]] = {key: [] for key in scenarios}
    for n in range(appends + 1):
        record = f'{{"v":1,"kind":"outcome","seq":{n}}}'.encode()
        for key, (_, commits) in scenarios.items():
            commit = rng.choice(commits)
            started = time.perf_counter()
            stores[key].append(commit, [record])
            times[key].append(time.perf_counter() - started)
    return times


def time_iterate(repo: Path, rounds: int = 5) -> tuple[float, int]:
    store = NotesStore(repo)
    times, count = [], 0
    for _ in range(rounds):
        started = time.perf_counter()
        count = sum(1 for _ in store.iter_notes())
        times.append(time.perf_counter() - started)
    return statistics.median(times), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=200)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="agentgov-bench-") as tmp:
        root = Path(tmp)
        print(f"append one record to a random one of {COMMITS:,} commits, {args.appends} times")
        scenarios: dict[Scenario, tuple[Path, list[str]]] = {}
        for notes, flat in ((0, False), (1_000, False), (10_000, False), (10_000, True)):
            started = time.perf_counter()
            scenarios[notes, "flat" if flat else "fan-out"] = build_repo(root, notes, flat=flat)
            print(
                f"  built: {notes:,} notes, {'flat' if flat else 'fan-out'}, "
                f"in {time.perf_counter() - started:.1f}s"
            )
        times = time_appends(scenarios, args.appends)
        print(
            f"{'existing notes':>16} {'layout':>7} {'first ms':>9} {'median ms':>10} {'p90 ms':>8}"
        )
        medians: dict[Scenario, float] = {}
        for (notes, layout), (first, *rest) in times.items():
            medians[notes, layout] = statistics.median(rest)
            p90 = statistics.quantiles(rest, n=10)[-1]
            print(
                f"{notes:>16,} {layout:>7} {first * 1e3:>9.2f} "
                f"{medians[notes, layout] * 1e3:>10.2f} {p90 * 1e3:>8.2f}"
            )
        base, thousand = medians[0, "fan-out"], medians[1_000, "fan-out"]
        print(
            f"median ratios: 1,000 vs 0 notes {thousand / base:.2f}x (the root fills up to "
            f"256 subtrees), 10,000 vs 1,000 {medians[10_000, 'fan-out'] / thousand:.2f}x, "
            f"10,000 flat (re-fanned by its first append) vs fan-out "
            f"{medians[10_000, 'flat'] / medians[10_000, 'fan-out']:.2f}x"
        )
        seconds, count = time_iterate(root / "repo-10000-fanout")
        print(f"iterate all {count:,} notes: {seconds * 1e3:.1f} ms (median of 5)")


if __name__ == "__main__":
    main()
