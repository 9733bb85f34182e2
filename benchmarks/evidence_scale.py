"""`agentgov metrics` and `agentgov status` at scale: 100,000 records over 10,000 commits.

docs/design.md, budgets: each under 2 seconds as a whole process. This builds a repository
of 10,000 commits (fast-import, as audit_scale.py does) whose notes hold 100,000 chained
records as Claude Code sessions write them: turns of a prompt, four tool calls (a decision
and, for most, an outcome) and a stop, in two task classes, with asks, denies and
interruptions. Then it runs both commands as whole processes, cold (no cache under
.git/agentgov/cache/ and no remembered policy, as in CI's fresh clone) and warm (the
cache a first run left), each the best of three, and prints the times, the ratio to the
budget, the peak memory of the children (RUSAGE_CHILDREN) and, as a measure of how loaded
the machine was, the best of three ``python -c pass`` in the same run.

    .venv/bin/python benchmarks/evidence_scale.py

Prints numbers measured in this one run; asserts nothing.
"""

from __future__ import annotations

import hashlib
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from audit_scale import COMMITS, IDENTITY, _data, _git

from agentgov.audit.notes import DEFAULT_REF

RECORDS = 100_000
PER_COMMIT = RECORDS // COMMITS
BUDGET = 2.0
START = 1_699_000_000  # the commits' time; records fall in the 14 days before the last


def session_records(count: int) -> list[bytes]:
    """``count`` chained records, in turns of 10: prompt, 4 x (decision, outcome?), stop."""
    lines: list[bytes] = []
    prev, session, seq = "", "", 0
    for n in range(count):
        turn, step = divmod(n, 10)
        if turn % 20 == 0 and step == 0:
            session, seq, prev = f"session-{turn // 20:05d}", 0, ""
        stamp = START + 1_000_000 + n * 3
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(stamp)) + ".000Z"
        record: dict[str, object] = {
            "v": 1,
            "session": session,
            "seq": seq,
            "prev": prev,
            "ts": ts,
            "source": "claude-code",
        }
        task_class = ("tests", "default")[turn % 2]
        if step == 0:
            record.update(kind="turn", event="prompt")
        elif step == 9:
            record.update(
                kind="turn",
                event="stop",
                interrupted=turn % 17 == 0,
                duration_ms=1000 + (n * 37) % 90_000,
                detail={"interruptions": int(turn % 17 == 0), "rejections": 0},
            )
        elif step % 2 == 1:
            decision = ("allow", "allow", "ask", "deny")[(n // 2) % 4]
            record.update(
                kind="decision",
                tool="Bash",
                tool_use_id=f"toolu_{n:08d}",
                input=f"pytest -q tests/test_{n % 97}.py",
                decision=decision,
                **{"class": "local"},
                rules=[],
                would_deny=[],
                level=3,
                task_class=task_class,
                reason="local commands run at level 3",
                policy="main:.agentgov/policy.yaml@0123456789ab",
                branch="main",
            )
        elif (n // 2) % 4 == 3 or (n // 2) % 13 == 0:  # denied, or an ask left unanswered
            record.update(
                kind="permission", event="shown", tool="Bash", tool_use_id=f"toolu_{n - 1:08d}"
            )
        else:
            record.update(kind="outcome", tool="Bash", tool_use_id=f"toolu_{n - 1:08d}", ok=True)
        line = json.dumps(record, sort_keys=True, separators=(",", ":")).encode()
        prev = hashlib.sha256(line).hexdigest()
        seq += 1
        lines.append(line)
    return lines


def build(root: Path) -> Path:
    repo = root / "repo"
    _git(root, "init", "-q", "-b", "main", str(repo))
    stream = bytearray()
    for n in range(1, COMMITS + 1):
        who = b"Bench <bench@example.com> %d +0000" % (START + 1_000_000 + n * 30)
        stream += b"commit refs/heads/main\nmark :%d\ncommitter %s\n" % (n, who)
        stream += _data(b"commit %d" % n)
    marks = repo / ".git" / "bench-marks"
    _git(repo, "fast-import", "--quiet", f"--export-marks={marks}", data=bytes(stream))
    commits = [line.split()[1] for line in marks.read_text().splitlines()]
    lines = session_records(RECORDS)
    stream = bytearray()
    for index, commit in enumerate(commits):
        path = f"{commit[:2]}/{commit[2:]}".encode()
        held = lines[index * PER_COMMIT : (index + 1) * PER_COMMIT]
        stream += b"commit %s\ncommitter %s\n" % (DEFAULT_REF.encode(), IDENTITY)
        stream += _data(b"Notes added by 'agentgov append'\n")
        block = b"".join(line + b"\n" for line in held)
        stream += b"M 100644 inline %s\n%s" % (path, _data(block)[:-1])
    _git(repo, "fast-import", "--quiet", data=bytes(stream))
    _git(repo, "gc", "--quiet")
    subprocess.run(
        [sys.executable, "-m", "agentgov", "init"], cwd=repo, check=True, capture_output=True
    )
    return repo


def timed(repo: Path, *args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "agentgov", *args], cwd=repo, capture_output=True, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"agentgov {' '.join(args)} failed: {done.stderr.decode()}")
    return elapsed


def cold_run(repo: Path, cache: Path, *args: str) -> float:
    """As in a fresh clone: no evidence cache, and no memory of the policy in force."""
    shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(cache.parent / "policy", ignore_errors=True)
    return timed(repo, *args)


def interpreter_start() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - started


def print_cold_warm(repo: Path, cache: Path, command: tuple[str, ...], budget: float) -> None:
    """``agentgov command`` cold and warm, each the best of three, against ``budget``."""
    cold = min(cold_run(repo, cache, *command) for _ in range(3))
    warm = min(timed(repo, *command) for _ in range(3))
    print(
        f"{command[0]:<8} cold {cold:5.2f} s ({cold / budget:.2f}x budget)  "
        f"warm {warm:5.2f} s ({warm / budget:.2f}x budget)"
    )


def print_peak() -> None:
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory of a child: {peak:.0f} MB")


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="agentgov-evidence-"))
    try:
        repo = build(root)
        cache = repo / ".git" / "agentgov" / "cache"
        print(f"{RECORDS:,} records over {COMMITS:,} commits")
        print(f"python -c pass: {min(interpreter_start() for _ in range(3)):.3f} s")
        for command in (("metrics", "--format", "json"), ("status",)):
            print_cold_warm(repo, cache, command, BUDGET)
        print_peak()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
