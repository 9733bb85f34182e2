"""A flush SIGKILLed at random moments, while hooks keep appending, loses and duplicates
nothing.

Four appender processes (two per session, so appends of one session race each other and
the flush's rename) write records with short pauses. Meanwhile, round after round, a
flusher process flushes in a loop and is SIGKILLed at a random moment: in the middle of a
detach, a notes write (even inside the ref update, leaving its lock), a deletion, or
between them. A last, clean flush must then leave every record in the notes exactly once,
with an unbroken chain.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from agentgov.audit.flush import flush_journal
from agentgov.audit.notes import NotesStore
from agentgov.audit.verify import verify_trail
from agentgov.git_layout import find_repo
from tests.audit.conftest import REF, journal_of

FLUSHER = """
import sys
from pathlib import Path
import agentgov.audit.notes  # imported before "ready": kills should land in flushes
from agentgov.audit.flush import flush_journal
from agentgov.git_layout import find_repo
layout = find_repo(Path(sys.argv[1]))
print("ready", flush=True)
while True:
    flush_journal(layout, sys.argv[2])
"""

APPENDER = """
import sys, time
from pathlib import Path
from agentgov.audit.journal import Journal
journal = Journal(Path(sys.argv[1]))
session, count, pause = sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
for n in range(count):
    journal.append(session, {"kind": "turn", "event": "prompt", "detail": {"n": n}})
    time.sleep(pause)
"""

APPENDS = 150
PAUSE = 0.02
MIN_ROUNDS = 40


def test_no_record_is_lost_or_duplicated_when_flushes_are_killed(repo: Path) -> None:
    layout = find_repo(repo)
    assert layout is not None
    rng = random.Random()
    seed = rng.randrange(1 << 30)
    rng.seed(seed)
    appenders = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                APPENDER,
                str(layout.state_dir),
                session,
                str(APPENDS),
                str(PAUSE),
            ]
        )
        for session in ("alpha", "alpha", "beta", "beta")
    ]
    rounds = interrupted = 0
    try:
        while rounds < MIN_ROUNDS or any(p.poll() is None for p in appenders):
            with subprocess.Popen(
                [sys.executable, "-c", FLUSHER, str(repo), REF], stdout=subprocess.PIPE, text=True
            ) as flusher:
                assert flusher.stdout is not None
                assert flusher.stdout.readline() == "ready\n"
                time.sleep(rng.uniform(0, 0.06))
                flusher.send_signal(signal.SIGKILL)
            rounds += 1
            interrupted += bool(journal_of(repo).flushing())
    finally:
        for process in appenders:
            process.wait(timeout=60)
    assert [p.returncode for p in appenders] == [0, 0, 0, 0]

    # Every flusher is dead: a notes-ref lock still there is a kill's leftover, which a
    # flush removes once it is STALE_REF_LOCK seconds old; don't wait that long here.
    flush_journal(layout, REF, stale_ref_lock=0)

    seen: Counter[tuple[str, int]] = Counter()
    for _, note in NotesStore(repo, REF).iter_notes():
        for line in note.decode().splitlines():
            record = json.loads(line)
            seen[(record["session"], record["seq"])] += 1
    expected = {(s, n) for s in ("alpha", "beta") for n in range(2 * APPENDS)}
    context = f"seed {seed}, {rounds} rounds, {interrupted} left a flush to finish"
    assert set(seen) == expected, context
    assert [key for key, count in seen.items() if count != 1] == [], context
    assert journal_of(repo).flushing() == []
    report = verify_trail(repo, REF, pending=True)
    assert report.ok, [str(p) for p in report.problems]
    assert report.records == 4 * APPENDS
    assert interrupted > 0, f"no kill landed inside a flush ({context}): the test tested nothing"
