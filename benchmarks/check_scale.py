"""`agentgov check` at scale: a pull request judged over 100,000 records and 10,000 commits.

docs/design.md, budgets: under 3 seconds as a whole process. The repository is the one
evidence_scale.py builds (10,000 commits whose notes hold 100,000 chained records); main
then commits the default policy, and a PR branch raises a class's level, so check runs
every part: validation, the raise judged on base's evidence, the agent commits of the PR,
the demotions due at head and `audit verify` of the whole trail. Cold (no evidence cache
and no remembered policy, as in CI's fresh clone) and warm (the cache a first run left),
each the best of three, with the ratio to the budget, the peak memory of the children, and
``python -c pass`` of the same interpreter in the same run as the measure of the machine.

    .venv/bin/python benchmarks/check_scale.py

Prints numbers measured in this one run; asserts nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from audit_scale import COMMITS
from evidence_scale import RECORDS, START, build, interpreter_start, print_cold_warm, print_peak

BUDGET = 3.0


def commit_policy(repo: Path) -> None:
    """Commit the policy on main just after the history, then a PR that raises docs."""
    when = f"{START + 1_000_000 + (COMMITS + 1) * 30} +0000"
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "Bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
    }

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)

    git("add", ".agentgov")
    git("commit", "-q", "-m", "policy")
    git("checkout", "-q", "-b", "pr")
    policy = repo / ".agentgov" / "policy.yaml"
    text = policy.read_text()
    raised = text.replace(
        "    level: execute-sandboxed\n    description: Documentation",
        "    level: autonomous\n    description: Documentation",
    )
    assert raised != text
    policy.write_text(raised)
    git("commit", "-q", "-am", "docs to autonomous")


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="agentgov-check-"))
    try:
        repo = build(root)
        commit_policy(repo)
        cache = repo / ".git" / "agentgov" / "cache"
        command = ("check", "--base", "main", "--head", "pr", "--format", "json")
        print(f"{RECORDS:,} records over {COMMITS:,} commits; a PR raising docs 4 -> 5")
        print(f"python -c pass: {min(interpreter_start() for _ in range(3)):.3f} s")
        print_cold_warm(repo, cache, command, BUDGET)
        print_peak()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
