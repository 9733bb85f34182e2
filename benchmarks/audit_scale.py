"""The audit trail at scale: 100,000 records over 10,000 commits.

docs/design.md#7-budgets: an audit append costs O(1) in the number of existing notes, and reading
100,000 records takes under 2 seconds. This builds repositories of 10,000 commits with git
fast-import, whose notes (git's fan-out layout) hold 0, 10,000 and 100,000 chained
decision records (ten per noted commit, 100 per session), plus 1,000 commits without
notes that appends go to (as a flush appends to a new commit). The notes arrive as a
trail grows: each noted commit's records in two flushes (five after the commit, five
more onto it later, as a session's end flushes onto HEAD), so the 100,000 records sit in
20,000 notes commits, each naming its session's tip (``Agentgov-Tip``), and half of them
change a note that already exists. Then it prints:

- the time of one append through ``NotesStore`` (median and p90, scenarios interleaved),
  and of a whole ``flush_journal`` of 20 pending records, at 0, 10k and 100k records;
- ``agentgov log --format json`` over all 100,000 records: in-process (what the command
  runs) and as a whole process;
- ``agentgov audit verify`` over the same, both ways, and in-process with only the
  chains checked (what verify did before it walked the notes history) against the whole
  check (notes history, anchors, signatures, chains).

    .venv/bin/python benchmarks/audit_scale.py [--appends 100]

Prints numbers and ratios measured in this one run; asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from agentgov.audit.flush import flush_journal
from agentgov.audit.journal import Journal
from agentgov.audit.notes import DEFAULT_REF, NotesStore
from agentgov.audit.records import cyclic_gc_paused, read_trail
from agentgov.audit.timeline import LogQuery, timeline
from agentgov.audit.verify import verify_trail
from agentgov.git_layout import find_repo
from agentgov.reporters.log_report import log_json

COMMITS = 10_000
FRESH = 1_000
"""Commits beyond COMMITS that carry no note: appends go there, as a flush appends to a new
commit's note, so every scenario writes the same small note and only the trail's size
differs."""
PER_COMMIT = 10
PER_FLUSH = 5
"""Records per notes commit: each noted commit's note is written in two flushes."""
PER_SESSION = 100
IDENTITY = b"Bench <bench@example.com> 1700000000 +0000"

RUN_CLI = """
import sys
import typer
from agentgov import cli
from agentgov.cli_audit import audit_app, log_command
if not any(group.name == "audit" for group in cli.app.registered_groups):
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    app.add_typer(audit_app, name="audit")
    app.command("log")(log_command)
    cli.app = app
sys.exit(cli.run(sys.argv[1:]))
"""


def _git(repo: Path, *args: str, data: bytes = b"") -> bytes:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, input=data, capture_output=True, check=True
    )
    return done.stdout


def _data(raw: bytes) -> bytes:
    return b"data %d\n%s\n" % (len(raw), raw)


def chained_records(count: int) -> list[bytes]:
    """``count`` decision records, PER_SESSION per session, each chained to the last."""
    lines: list[bytes] = []
    prev = ""
    for n in range(count):
        seq = n % PER_SESSION
        if seq == 0:
            prev = ""
        record = {
            "v": 1,
            "kind": "decision",
            "session": f"session-{n // PER_SESSION:05d}",
            "seq": seq,
            "prev": prev,
            "ts": f"2024-05-01T10:{n // 6000 % 60:02d}:{n // 100 % 60:02d}.{n % 1000:03d}Z",
            "source": "claude-code",
            "tool": "Bash",
            "tool_use_id": f"toolu_{n:08d}",
            "input": f"pytest -q tests/test_module_{n % 97}.py -k case_{n % 13}",
            "decision": ("allow", "ask", "deny")[n % 3],
            "class": ("local", "network", "irreversible")[n % 3],
            "rules": [] if n % 3 == 0 else ["git.force-push-protected"],
            "would_deny": [],
            "level": 3,
            "task_class": ("tests", "infra")[n % 2],
            "reason": "local edits and commands are allowed at level 3",
            "policy": "main:.agentgov/policy.yaml@0123456789ab",
            "branch": "main",
        }
        line = json.dumps(record, sort_keys=True, separators=(",", ":")).encode()
        prev = hashlib.sha256(line).hexdigest()
        lines.append(line)
    return lines


def build_repo(root: Path, records: int) -> tuple[Path, list[str]]:
    """COMMITS + FRESH commits; the first ``records // PER_COMMIT`` carry PER_COMMIT
    records each. Returns the repository and the FRESH commits without notes."""
    repo = root / f"repo-{records}"
    _git(root, "init", "-q", "-b", "main", str(repo))
    _git(repo, "config", "user.name", "Bench")
    _git(repo, "config", "user.email", "bench@example.com")
    stream = bytearray()
    for n in range(1, COMMITS + FRESH + 1):
        stream += b"commit refs/heads/main\nmark :%d\ncommitter %s\n" % (n, IDENTITY)
        stream += _data(b"commit %d" % n)
    marks = repo / ".git" / "bench-marks"
    _git(repo, "fast-import", "--quiet", f"--export-marks={marks}", data=bytes(stream))
    commits = [line.split()[1] for line in marks.read_text().splitlines()]
    if records:
        lines = chained_records(records)
        stream = bytearray()
        for index, commit in enumerate(commits[: records // PER_COMMIT]):
            path = f"{commit[:2]}/{commit[2:]}".encode()
            for end in range(PER_FLUSH, PER_COMMIT + 1, PER_FLUSH):
                held = lines[index * PER_COMMIT : index * PER_COMMIT + end]
                last = json.loads(held[-1])
                tip = f"Agentgov-Tip: {last['seq']} {hashlib.sha256(held[-1]).hexdigest()} "
                message = f"Notes added by 'agentgov append'\n\n{tip}{last['session']}\n"
                stream += b"commit %s\ncommitter %s\n" % (DEFAULT_REF.encode(), IDENTITY)
                stream += _data(message.encode())
                block = b"".join(line + b"\n" for line in held)
                stream += b"M 100644 inline %s\n%s" % (path, _data(block)[:-1])
        _git(repo, "fast-import", "--quiet", data=bytes(stream))
    _git(repo, "gc", "--quiet")
    return repo, commits[COMMITS:]


def time_appends(repos: dict[int, tuple[Path, list[str]]], appends: int) -> dict[int, list[float]]:
    """Seconds per NotesStore append of one record to a random fresh commit, scenarios
    taking turns so that load from elsewhere falls on all alike. The first append (cold
    caches) is dropped."""
    stores = {key: NotesStore(repo) for key, (repo, _) in repos.items()}
    rng = random.Random(7)
    times: dict[int, list[float]] = {key: [] for key in repos}
    prev = ""
    for n in range(appends + 1):
        # a valid record chained like the journal's, so that verify stays clean afterwards
        record = {"kind": "outcome", "ok": True, "prev": prev, "seq": n, "v": 1}
        record.update(session="bench-appends", ts="2024-05-02T00:00:00.000Z")
        line = json.dumps(record, sort_keys=True, separators=(",", ":")).encode()
        prev = hashlib.sha256(line).hexdigest()
        for key, (_, commits) in repos.items():
            commit = rng.choice(commits)
            started = time.perf_counter()
            stores[key].append(commit, [line])
            if n:
                times[key].append(time.perf_counter() - started)
    return times


def time_flush(repo: Path, rounds: int = 5) -> float:
    """Median seconds of a whole flush of 20 pending journal records onto HEAD."""
    layout = find_repo(repo)
    assert layout is not None
    journal = Journal(layout.state_dir)
    times = []
    for round_ in range(rounds):
        for _ in range(20):
            journal.append(f"bench-{round_}", {"kind": "turn", "event": "prompt"})
        started = time.perf_counter()
        flush_journal(layout, DEFAULT_REF)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def best_of(rounds: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def log_json_in_process(repo: Path) -> int:
    """What ``agentgov log --format json`` runs once the repository is found."""
    with cyclic_gc_paused():
        trail = read_trail(repo, DEFAULT_REF, pending=True)
        out = log_json(timeline(trail.records, LogQuery()), trail.problems)
        io.StringIO().write(out)
        return len(trail.records)


def whole_process(repo: Path, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", RUN_CLI, *args],
        cwd=repo,
        stdout=subprocess.DEVNULL,
        check=False,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=100)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="agentgov-scale-") as tmp:
        root = Path(tmp)
        repos: dict[int, tuple[Path, list[str]]] = {}
        for records in (0, 10_000, 100_000):
            started = time.perf_counter()
            repos[records] = build_repo(root, records)
            print(
                f"built {COMMITS:,} commits with {records:,} records "
                f"in {time.perf_counter() - started:.1f}s"
            )
        big = repos[100_000][0]
        os.sync()  # the builds left ~100 MB to write back: don't time appends against that

        times = time_appends(repos, args.appends)
        flushes = {key: time_flush(repo) for key, (repo, _) in repos.items()}

        count = log_json_in_process(big)  # also fills the cache of checked note blobs
        log_seconds = best_of(3, lambda: log_json_in_process(big))
        chains_seconds = best_of(3, lambda: verify_trail(big, DEFAULT_REF, history=False))
        verify_seconds = best_of(3, lambda: verify_trail(big, DEFAULT_REF))
        report = verify_trail(big, DEFAULT_REF)
        log_process = min(whole_process(big, "log", "--format", "json") for _ in range(3))
        verify_process = min(whole_process(big, "audit", "verify") for _ in range(3))

        print(f"\nappend one record to a fresh commit's note ({args.appends} appends each)")
        print(f"{'records':>9} {'median ms':>10} {'p90 ms':>8} {'flush of 20 ms':>15}")
        medians = {}
        for key, values in times.items():
            medians[key] = statistics.median(values)
            p90 = statistics.quantiles(values, n=10)[-1]
            print(
                f"{key:>9,} {medians[key] * 1e3:>10.2f} {p90 * 1e3:>8.2f} "
                f"{flushes[key] * 1e3:>15.1f}"
            )
        print(
            f"append ratios: 10k vs 0 {medians[10_000] / medians[0]:.2f}x, "
            f"100k vs 10k {medians[100_000] / medians[10_000]:.2f}x, "
            f"100k vs 0 {medians[100_000] / medians[0]:.2f}x"
        )
        print(f"\nover {count:,} records ({report.sessions:,} sessions), best of 3:")
        print(
            f"  log --format json: {log_seconds:.2f}s in-process, {log_process:.2f}s whole "
            f"process (target < 2 s: {log_process / 2:.0%} of it)"
        )
        print(
            f"  audit verify:      {verify_seconds:.2f}s in-process, {verify_process:.2f}s "
            f"whole process ({'clean' if report.ok else f'{len(report.problems)} problems'})"
        )
        print(
            f"  verify, chains only (before the history check): {chains_seconds:.2f}s "
            f"in-process; the whole check over {report.notes_commits:,} notes commits: "
            f"{verify_seconds:.2f}s ({verify_seconds / chains_seconds:.2f}x)"
        )


if __name__ == "__main__":
    main()
