"""The pre-commit hook: a staged policy must validate; an agent never commits guard files."""

from __future__ import annotations

from collections.abc import Iterator

from agentgov.adapters.git_hooks.pre_commit_hook import (
    COMMIT_CHECKS,
    Finding,
    StagedChange,
    StagedCommit,
    check_commit,
    guard_edits,
    staged_policy,
)
from tests.git_hooks.conftest import Clone

VALID = "version: 1\ntask_classes:\n  default:\n    level: 3\n"
INVALID = "version: 1\ntask_classes:\n  default:\n    level: 7\n"
AGENT = {"CLAUDECODE": "1"}


def stage(clone: Clone, path: str, text: str) -> None:
    target = clone.path / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    clone.git("add", "--", path)


def test_a_staged_invalid_policy_is_refused_with_its_position(clone: Clone) -> None:
    stage(clone, ".agentgov/policy.yaml", INVALID)
    done = clone.run("commit", "-q", "-m", "policy")
    assert done.returncode != 0
    assert "agentgov: commit refused" in done.stderr
    assert "[policy.valid] .agentgov/policy.yaml:4:12: task_classes.default.level:" in (done.stderr)


def test_a_staged_valid_policy_passes(clone: Clone) -> None:
    stage(clone, ".agentgov/policy.yaml", VALID)
    done = clone.run("commit", "-q", "-m", "policy")
    assert done.returncode == 0, done.stderr


def test_the_index_is_checked_not_the_working_copy(clone: Clone) -> None:
    stage(clone, ".agentgov/policy.yaml", INVALID)
    (clone.path / ".agentgov" / "policy.yaml").write_text(VALID)  # fixed but not staged
    done = clone.run("commit", "-q", "-m", "policy")
    assert done.returncode != 0
    assert "level" in done.stderr


def test_commit_dash_a_checks_the_index_git_builds_for_it(clone: Clone) -> None:
    stage(clone, ".agentgov/policy.yaml", VALID)
    clone.git("commit", "-q", "-m", "policy")
    (clone.path / ".agentgov" / "policy.yaml").write_text(INVALID)  # not staged
    plain = clone.run("commit", "-q", "--allow-empty", "-m", "nothing staged")
    assert plain.returncode == 0, plain.stderr
    with_all = clone.run("commit", "-q", "-a", "-m", "everything")
    assert with_all.returncode != 0
    assert "[policy.valid]" in with_all.stderr
    by_path = clone.run("commit", "-q", "-m", "that file", "--", ".agentgov/policy.yaml")
    assert by_path.returncode != 0


def test_an_agent_session_may_not_commit_the_policy(clone: Clone) -> None:
    stage(clone, ".agentgov/policy.yaml", VALID)
    done = clone.run("commit", "-q", "-m", "raise my level", env=AGENT)
    assert done.returncode != 0
    assert (
        "[guard.tamper] an agent session (CLAUDECODE is set) commits a change to "
        ".agentgov/policy.yaml, part of agentgov's policy directory .agentgov/: an agent never "
        "edits its own guard or policy"
    ) in done.stderr
    assert "git restore --staged -- .agentgov/policy.yaml" in done.stderr


def test_an_agent_session_may_not_commit_hook_settings_or_remove_them(clone: Clone) -> None:
    stage(clone, ".claude/settings.json", "{}\n")
    stage(clone, ".pre-commit-config.yaml", "repos: []\n")
    clone.git("commit", "-q", "-m", "settings")
    clone.git("rm", "-q", ".claude/settings.json")
    stage(clone, ".pre-commit-config.yaml", "repos: [] # edited\n")
    done = clone.run("commit", "-q", "-m", "drop hooks", env={"CLAUDE_CODE_ENTRYPOINT": "cli"})
    assert done.returncode != 0
    assert "commits a change to .claude/settings.json" in done.stderr
    assert "commits a change to .pre-commit-config.yaml" in done.stderr


def test_an_agent_may_commit_everything_else(clone: Clone) -> None:
    stage(clone, "src/app.py", "print('hi')\n")
    stage(clone, "docs/agentgov.md", "about\n")
    done = clone.run("commit", "-q", "-m", "work", env={"AGENTGOV_AGENT": "1"})
    assert done.returncode == 0, done.stderr


def test_a_rename_out_of_the_guard_counts(clone: Clone) -> None:
    stage(clone, ".agentgov/policy.yaml", VALID)
    clone.git("commit", "-q", "-m", "policy")
    clone.git("mv", ".agentgov/policy.yaml", "policy.yaml.bak")
    done = clone.run("commit", "-q", "-m", "move it", env=AGENT)
    assert done.returncode != 0
    assert "commits a change to .agentgov/policy.yaml" in done.stderr


def test_checks_are_functions_of_the_staged_commit() -> None:
    commit = StagedCommit(
        root="/repo",
        home="/home/u",
        changes=(StagedChange("M", ".agentgov/policy.yaml"), StagedChange("A", "x.py")),
        agent="AGENTGOV_AGENT",
        read_staged=lambda path: INVALID.encode() if path == ".agentgov/policy.yaml" else None,
    )
    assert (staged_policy, guard_edits) == COMMIT_CHECKS
    found = check_commit(commit)
    assert [(f.check, f.path) for f in found] == [
        ("policy.valid", ".agentgov/policy.yaml"),
        ("guard.tamper", ".agentgov/policy.yaml"),
    ]

    def no_todo(commit: StagedCommit) -> Iterator[Finding]:
        for change in commit.changes:
            if change.path.endswith(".py"):
                yield Finding("scan.example", change.path, "a scan result", "fix it")

    assert [f.check for f in check_commit(commit, (no_todo,))] == ["scan.example"]


def test_a_deleted_policy_is_not_validated_for_a_person() -> None:
    commit = StagedCommit("/repo", "/home/u", (StagedChange("D", ".agentgov/policy.yaml"),))
    assert check_commit(commit) == ()
