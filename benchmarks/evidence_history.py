"""Time ``commit_evidence`` over a history of 10,000 commits.

Builds a repository with git fast-import: 10,000 commits on main, a third of them with
Claude Code's trailer, one in twenty a ``Revert "<subject>"`` title of an earlier
commit, one in forty a ``Fixes:`` trailer naming no commit; half the commits add a file
under docs/, the rest under src/ (about 100 files a directory, as real trees hold).
Then times ``commit_evidence`` (one git log, one diff-tree for the agent commits that
need their paths) with the default policy and no trail records, best of five.

    .venv/bin/python benchmarks/evidence_history.py [--commits 10000]

Prints the numbers measured in this one run; asserts nothing.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

from agentgov.evidence.commit_evidence import commit_evidence
from agentgov.policy.load import load_template

CLAUDE = "Co-Authored-By: Claude Opus 4.1 <noreply@anthropic.com>"


def build(repo: Path, count: int) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    stream: list[bytes] = []
    for number in range(count):
        subject = f"change {number}"
        body = ""
        if number % 3 == 0:
            body = f"\n\n{CLAUDE}"
        if number % 20 == 19:
            subject = f'Revert "change {number - 7}"'
        elif number % 40 == 10:
            body = f"\n\nFixes: {number:012x}"  # an id no commit has: counted as unseen
        group = f"{number // 100 % 10}/{number // 1000}"  # a tree of ~100 files a directory
        path = f"docs/{group}/{number}.md" if number % 2 == 0 else f"src/{group}/{number}.py"
        message = (subject + body + "\n").encode()
        stream.append(
            b"commit refs/heads/main\n"
            + f"mark :{number + 1}\n".encode()
            + f"committer Bench <bench@example.com> {1_700_000_000 + number * 60} +0000\n".encode()
            + f"data {len(message)}\n".encode()
            + message
            + (f"from :{number}\n".encode() if number else b"")
            + f"M 100644 inline {path}\ndata 2\nx\n\n".encode()
        )
    marks = Path(repo) / "marks"
    subprocess.run(
        ["git", "-C", str(repo), "fast-import", "--quiet", f"--export-marks={marks}"],
        input=b"".join(stream),
        check=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commits", type=int, default=10_000)
    args = parser.parse_args()
    policy = load_template("default")
    with tempfile.TemporaryDirectory() as temporary:
        repo = Path(temporary) / "repo"
        started = time.perf_counter()
        build(repo, args.commits)
        print(f"built {args.commits} commits in {time.perf_counter() - started:.2f} s")
        best = float("inf")
        evidence = None
        for _ in range(5):
            started = time.perf_counter()
            evidence = commit_evidence(repo, policy, (), "main")
            best = min(best, time.perf_counter() - started)
        assert evidence is not None
        escaped = sum(1 for o in evidence.observations if o.value)
        unseen = {u.what: u.count for u in evidence.unseen}
        print(
            f"commit_evidence over {args.commits} commits: {best * 1000:.0f} ms (best of 5); "
            f"{len(evidence.agent_commits)} agent commits, {escaped} escaped, unseen {unseen}"
        )


if __name__ == "__main__":
    main()
