"""`agentgov check`'s read of the trail at scale: 100,000 records over 10,000 commits.

docs/design.md, budgets: check under 3 seconds as a whole process, and it both verifies
the whole trail and measures evidence from it. This builds the repository
evidence_scale.py builds, then times, in-process and inside ``cyclic_gc_paused`` as the
commands run them:

- ``verified_trail`` (evidence.verified_read), the one pass check makes;
- the two separate reads it replaces, ``verify_trail`` and ``read_slim_trail``;

each cold (no evidence cache, as in CI's fresh clone) and warm (the cache a cold run
left), the best of five with the median beside it, and the CPU time of this process and
its children (git, the forked reader) of the best run; and ``verified_trail`` as a whole
process (the interpreter, the imports and the read: what it adds to ``agentgov check``).
It checks that the one pass returned what the two reads return, and prints ``python -c
pass`` of the same interpreter in the same run as the measure of how loaded the machine
was.

    .venv/bin/python benchmarks/verified_read.py [--rounds 5]

Prints numbers measured in this one run; asserts nothing but the equality.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from evidence_scale import RECORDS, build, interpreter_start

from agentgov.audit.notes import DEFAULT_REF
from agentgov.audit.records import cyclic_gc_paused
from agentgov.audit.verify import verify_trail
from agentgov.evidence.trail_read import read_slim_trail
from agentgov.evidence.verified_read import verified_trail
from agentgov.git_layout import RepoLayout, find_repo

COLD_TARGET = 1.6
WARM_TARGET = 1.2


def cpu_seconds() -> float:
    mine = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime


def timed(
    rounds: int, prepare: Callable[[], None], work: Callable[[], object]
) -> tuple[float, float, float]:
    """(best wall seconds, median, CPU seconds of the best round)."""
    runs: list[tuple[float, float]] = []
    for _ in range(rounds):
        prepare()
        with cyclic_gc_paused():
            cpu = cpu_seconds()
            started = time.perf_counter()
            result = work()
            wall = time.perf_counter() - started
            runs.append((wall, cpu_seconds() - cpu))
            del result  # freed inside, as a command frees it at its end
    best = min(runs)
    return best[0], statistics.median(wall for wall, _ in runs), best[1]


WHOLE = """
import sys
from pathlib import Path
from agentgov.audit.records import cyclic_gc_paused
from agentgov.evidence.verified_read import verified_trail
from agentgov.git_layout import find_repo
with cyclic_gc_paused():
    verified_trail(find_repo(Path(sys.argv[1])), sys.argv[2])
"""


def whole_process(repo: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", WHOLE, str(repo), DEFAULT_REF], check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory(prefix="agentgov-verified-") as tmp:
        repo = build(Path(tmp))
        found = find_repo(repo)
        assert found is not None
        layout: RepoLayout = found
        cache = layout.state_dir / "cache"

        def cold() -> None:
            shutil.rmtree(cache, ignore_errors=True)

        def warm() -> None:
            if not cache.exists():
                read_slim_trail(layout, DEFAULT_REF, pending=False)

        def one_pass() -> object:
            return verified_trail(layout, DEFAULT_REF)

        def separate() -> object:
            return verify_trail(repo, DEFAULT_REF), read_slim_trail(
                layout, DEFAULT_REF, pending=False
            )

        cold()
        first = one_pass()
        cold()
        same_cold = first == separate()
        same_warm = one_pass() == separate()
        # Nothing read is kept while timing: a larger heap makes the fork, and every page
        # the parent touches after it (copy-on-write), dearer than in a command.
        del first
        numbers = {
            (name, state): timed(rounds, prepare, work)
            for name, work in (("verified_trail", one_pass), ("separate reads", separate))
            for state, prepare in (("cold", cold), ("warm", warm))
        }
        processes = {}
        for state, prepare in (("cold", cold), ("warm", warm)):
            times = []
            for _ in range(rounds):
                prepare()
                times.append(whole_process(repo))
            processes[state] = (min(times), statistics.median(times))
        load = min(interpreter_start() for _ in range(3))
    print(f"{RECORDS:,} records over 10,000 commits, best of {rounds} (median), in-process")
    for (name, state), (best, median, cpu) in numbers.items():
        print(f"  {name:15} {state}: {best:.2f}s ({median:.2f}s), cpu {cpu:.2f}s")
    for state, target in (("cold", COLD_TARGET), ("warm", WARM_TARGET)):
        one = numbers[("verified_trail", state)][0]
        two = numbers[("separate reads", state)][0]
        print(
            f"  {state}: verified_trail / separate reads {one / two:.2f}; "
            f"/ target {target:.1f}s {one / target:.2f}"
        )
    for state, (best, median) in processes.items():
        print(f"  verified_trail as a whole process, {state}: {best:.2f}s ({median:.2f}s)")
    print(f"  same result as the separate reads: cold {same_cold}, warm {same_warm}")
    print(f"  python -c pass: {load:.3f}s (the machine's load)")


if __name__ == "__main__":
    main()
