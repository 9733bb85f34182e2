"""The level history `rollback` and `check` compute targets from, read from a real
repository's first-parent history of the policy file: the version in force when a window
began counts, older ones do not, a version that does not load is skipped (and said so), a
side branch merged without its policy change is not on the line, and the working tree is
never read."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from agentgov.gate.level_history import level_history
from agentgov.policy.model import Level
from tests.conftest import GIT_IDENTITY

POLICY_PATH = ".agentgov/policy.yaml"
DAY = 86400
T0 = 1_790_000_000  # committer times, whole seconds


def policy(level: int, *, docs: bool = False) -> str:
    extra = '  docs: {level: 2, paths: ["docs/**"]}\n' if docs else ""
    return f"version: 1\ntask_classes:\n  default: {{level: {level}}}\n{extra}"


def commit_at(repo: Path, when: int, message: str, text: str | None = None) -> str:
    """Commit (the policy ``text`` when given) with committer and author time ``when``."""
    if text is not None:
        (repo / POLICY_PATH).write_text(text)
        run(repo, when, "add", POLICY_PATH)
    run(repo, when, "commit", "-q", "--allow-empty", "-m", message)
    return run(repo, when, "rev-parse", "HEAD").strip()


def run(repo: Path, when: int, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_IDENTITY)
    stamp = f"@{when} +0000"
    env.update(GIT_CONFIG_NOSYSTEM="1", HOME=str(repo))
    env.update(GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def history(tmp_path: Path) -> tuple[Path, str]:
    """default: 4 at T0, 3 at T0+10d, a broken version at T0+15d, 2 at T0+18d, and a side
    branch raising it to 5 merged with main's policy kept at T0+19d; HEAD at T0+20d."""
    repo = tmp_path / "repo"
    (repo / ".agentgov").mkdir(parents=True)
    run(repo, T0, "init", "-q", "-b", "main")
    commit_at(repo, T0, "level 4", policy(4))
    commit_at(repo, T0 + 10 * DAY, "level 3", policy(3, docs=True))
    commit_at(repo, T0 + 15 * DAY, "broken", "version: 1\ntask_classes: [\n")
    commit_at(repo, T0 + 18 * DAY, "level 2", policy(2))
    run(repo, T0 + 18 * DAY, "checkout", "-q", "-b", "side")
    commit_at(repo, T0 + 18 * DAY + 60, "side raises to 5", policy(5))
    run(repo, T0 + 19 * DAY, "checkout", "-q", "main")
    run(repo, T0 + 19 * DAY, "merge", "-q", "--no-ff", "-s", "ours", "-m", "merge side", "side")
    head = commit_at(repo, T0 + 20 * DAY, "unrelated")
    (repo / POLICY_PATH).write_text(policy(5))  # the working tree is never read
    return repo, head


def test_the_version_in_force_at_since_counts_and_older_ones_do_not(
    history: tuple[Path, str],
) -> None:
    repo, head = history
    current = Level(2)
    assert level_history(repo, head, T0 + 5 * DAY).peak("default", T0 + 5 * DAY, current) == 4
    assert level_history(repo, head, T0 + 12 * DAY).peak("default", T0 + 12 * DAY, current) == 3
    assert level_history(repo, head, T0 + 18 * DAY).peak("default", T0 + 18 * DAY, current) == 2
    # exactly at a version's committer time, that version is the one in force
    assert level_history(repo, head, T0 + 10 * DAY).peak("default", T0 + 10 * DAY, current) == 3


def test_only_the_first_parent_line_and_loadable_versions_count(
    history: tuple[Path, str],
) -> None:
    repo, head = history
    levels = level_history(repo, head, T0 + 5 * DAY)
    assert [version.level("default") for version in levels.versions] == [2, 3, 4]
    [skipped] = levels.skipped
    assert "does not load" in skipped
    assert skipped.startswith(run(repo, 0, "rev-parse", ":/broken").strip()[:12])


def test_a_class_the_old_versions_lack_keeps_its_current_level(
    history: tuple[Path, str],
) -> None:
    repo, head = history
    levels = level_history(repo, head, T0)
    assert levels.peak("docs", T0, Level(1)) == 2  # only the T0+10d version had docs
    assert levels.peak("tests", T0, Level(3)) == 3  # no version had tests
    assert levels.peak("default", T0, Level(5)) == 5  # current counts


def test_a_deleted_policy_is_skipped_and_said_so(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".agentgov").mkdir(parents=True)
    run(repo, T0, "init", "-q", "-b", "main")
    commit_at(repo, T0, "level 4", policy(4))
    run(repo, T0 + DAY, "rm", "-q", POLICY_PATH)
    deleted = commit_at(repo, T0 + DAY, "remove the policy")
    levels = level_history(repo, deleted, T0)
    assert [v.level("default") for v in levels.versions] == [4]
    assert levels.skipped == (f"{deleted[:12]}: {POLICY_PATH} is deleted there",)


def test_nothing_older_than_the_longest_window_is_read(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".agentgov").mkdir(parents=True)
    run(repo, T0, "init", "-q", "-b", "main")
    commit_at(repo, T0, "level 5", policy(5))
    commit_at(repo, T0 + DAY, "level 2", policy(2))
    head = commit_at(repo, T0 + 400 * DAY, "much later")
    levels = level_history(repo, head, T0)  # asked for 400 days: held to 366
    assert [v.level("default") for v in levels.versions] == [2]
    assert levels.peak("default", T0, Level(2)) == 2
    within = level_history(repo, commit_at(repo, T0 + 300 * DAY, "sooner"), T0)
    assert [v.level("default") for v in within.versions] == [2, 5]
