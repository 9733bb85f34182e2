"""The pre-commit framework: the manifest, its `files:` patterns, and `agentgov install git`
in a repository with a .pre-commit-config.yaml, run through the real pre-commit."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from agentgov.adapters.git_hooks.framework_hooks import FRAMEWORK_HOOKS, GUARD_FILES_PATTERN
from agentgov.adapters.git_hooks.install import install_git, uninstall_git
from agentgov.adapters.git_hooks.precommit_config import with_agentgov, without_agentgov
from tests.git_hooks.conftest import AGENTGOV, CHECKOUT, Clone

MANIFEST = CHECKOUT / ".pre-commit-hooks.yaml"
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]
# language: system hooks find agentgov on PATH, as a developer's activated venv provides.
ON_PATH = {"PATH": f"{AGENTGOV.parent}:/usr/bin:/bin"}

TEAM_CONFIG = """# The team's hooks. Keep this list short.
default_install_hook_types: [pre-commit]
repos:
  # formatting first
  - repo: local
    hooks:
      - id: no-tabs
        name: no tabs
        entry: "sh -c '! grep -q \\"\\t\\" \\"$@\\"' --"
        language: system
        types: [text]   # only text files
"""


def manifest() -> list[dict[str, object]]:
    loaded = YAML(typ="safe").load(MANIFEST.read_text())
    assert isinstance(loaded, list)
    return loaded


def test_the_manifest_says_what_framework_hooks_defines() -> None:
    entries = {entry["id"]: entry for entry in manifest()}
    assert list(entries) == [hook.id for hook in FRAMEWORK_HOOKS]
    for hook in FRAMEWORK_HOOKS:
        entry = entries[hook.id]
        assert entry["name"] == hook.name
        assert entry["entry"] == hook.entry
        assert entry["language"] == "python"
        assert entry["stages"] == list(hook.stages)
        assert entry.get("files") == hook.files
        assert entry.get("always_run", False) == hook.always_run
        assert entry.get("pass_filenames", True) == hook.pass_filenames
        assert " ".join(str(entry["description"]).split()) == hook.description


def test_pre_commit_accepts_the_manifest() -> None:
    done = subprocess.run(
        [*PRE_COMMIT, "validate-manifest", str(MANIFEST)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("path", "matches"),
    [
        (".agentgov/policy.yaml", True),
        (".agentgov/policy.schema.json", True),
        (".agentgov/claude-hook.sh", True),
        (".claude/settings.json", True),
        (".claude/settings.local.json", True),
        (".pre-commit-config.yaml", True),
        ("agentgov/policy.yaml", False),
        ("docs/.agentgov/policy.yaml", False),
        ("x.agentgov/policy.yaml", False),
        (".agentgov", False),
        (".claude/commands/x.md", False),
        (".claude/settings.json.bak", False),
        ("sub/.claude/settings.json", False),
        (".pre-commit-config.yaml.orig", False),
        (".pre-commit-hooks.yaml", False),
        ("README.md", False),
    ],
)
def test_the_validate_files_pattern(path: str, matches: bool) -> None:
    # pre-commit applies `files` with re.search to paths relative to the repository root.
    (validate,) = [entry for entry in manifest() if entry["id"] == "agentgov-validate"]
    assert validate["files"] == GUARD_FILES_PATTERN
    assert bool(re.search(GUARD_FILES_PATTERN, path)) == matches


def test_only_validate_filters_files() -> None:
    assert [entry["id"] for entry in manifest() if "files" in entry] == ["agentgov-validate"]


def test_the_config_edit_keeps_comments_and_indentation_and_reverses() -> None:
    edited = with_agentgov(TEAM_CONFIG, Path(".pre-commit-config.yaml"))
    assert edited is not None
    assert edited.startswith(TEAM_CONFIG)
    assert edited[len(TEAM_CONFIG) :] == (
        "  - repo: local\n"
        "    hooks:\n"
        "      - id: agentgov-validate\n"
        "        name: 'agentgov: validate the policy, guard its files'\n"
        "        entry: agentgov hook pre-commit validate\n"
        "        language: system\n"
        f"        files: {GUARD_FILES_PATTERN}\n"
        "        always_run: true\n"
        "        stages: [pre-commit]\n"
        "      - id: agentgov-protect\n"
        "        name: 'agentgov: protected branches and tags'\n"
        "        entry: agentgov hook pre-commit protect\n"
        "        language: system\n"
        "        always_run: true\n"
        "        pass_filenames: false\n"
        "        stages: [pre-push]\n"
        "      - id: agentgov-audit\n"
        "        name: 'agentgov: audit trail into git notes'\n"
        "        entry: agentgov hook pre-commit audit\n"
        "        language: system\n"
        "        always_run: true\n"
        "        pass_filenames: false\n"
        "        stages: [post-commit, post-rewrite]\n"
    )
    assert with_agentgov(edited, Path(".pre-commit-config.yaml")) is None
    assert without_agentgov(edited, Path(".pre-commit-config.yaml")) == TEAM_CONFIG
    assert without_agentgov(TEAM_CONFIG, Path(".pre-commit-config.yaml")) is None


@pytest.fixture
def framework(bare_clone: Clone, monkeypatch: pytest.MonkeyPatch) -> Clone:
    """A clone whose team uses pre-commit (its own hook installed), then agentgov."""
    monkeypatch.setenv("HOME", str(bare_clone.home))
    monkeypatch.setenv("PRE_COMMIT_HOME", str(bare_clone.home / "pre-commit-cache"))
    (bare_clone.path / ".pre-commit-config.yaml").write_text(TEAM_CONFIG)
    bare_clone.git("add", ".pre-commit-config.yaml")
    bare_clone.git("commit", "-q", "-m", "pre-commit config")
    install_git(bare_clone.path, agentgov_bin=AGENTGOV, pre_commit=PRE_COMMIT)
    # pre-commit runs nothing while its config has unstaged changes: commit agentgov's block.
    bare_clone.git("add", ".pre-commit-config.yaml")
    clone = replace(bare_clone, env=tuple(ON_PATH.items()))
    clone.git("commit", "-q", "-m", "agentgov hooks")
    return clone


def test_install_adds_the_block_installs_each_hook_type_and_wraps_pre_push(
    framework: Clone,
) -> None:
    hooks = framework.path / ".git" / "hooks"
    config = (framework.path / ".pre-commit-config.yaml").read_text()
    assert config.startswith(TEAM_CONFIG)
    assert "id: agentgov-protect" in config
    for name in ("pre-commit", "post-commit", "post-rewrite"):
        assert "File generated by pre-commit" in (hooks / name).read_text()
    assert "installed by `agentgov install git`" in (hooks / "pre-push").read_text()
    assert "File generated by pre-commit" in (hooks / "pre-push.pre-agentgov").read_text()


def diverge(clone: Clone) -> None:
    clone.commit("pushed")
    clone.git("push", "-q", "origin", "main")
    clone.git("reset", "-q", "--hard", "HEAD~1")
    clone.commit("rewritten")


def test_framework_mode_refuses_force_pushes_and_deletions(framework: Clone) -> None:
    framework.git("push", "-q", "origin", "main")
    diverge(framework)
    forced = framework.run("push", "--force", "origin", "main")
    assert forced.returncode != 0
    assert "[git.force-push-protected] refs/heads/main" in forced.stderr
    deleted = framework.run("push", "origin", ":main")
    assert deleted.returncode != 0
    assert "[git.delete-protected-branch] refs/heads/main" in deleted.stderr


def test_framework_mode_runs_the_team_hooks_and_lets_a_fast_forward_through(
    framework: Clone,
) -> None:
    framework.commit("ahead")
    done = framework.run("push", "origin", "main")
    assert done.returncode == 0, done.stderr
    assert "agentgov: protected branches and tags" in done.stdout + done.stderr
    assert framework.remote_head() == framework.head()


def test_framework_mode_validates_a_staged_policy(framework: Clone) -> None:
    (framework.path / ".agentgov").mkdir()
    (framework.path / ".agentgov" / "policy.yaml").write_text("version: 1\ntask_classes: 3\n")
    framework.git("add", ".agentgov/policy.yaml")
    done = framework.run("commit", "-q", "-m", "policy")
    assert done.returncode != 0
    assert "[policy.valid] .agentgov/policy.yaml:2:15: task_classes: expected a mapping" in (
        done.stderr
    )


def wrapper_missing(action: str) -> str:
    return (
        f"agentgov: {action} refused: pre-commit runs agentgov's hooks in this clone, but "
        "agentgov's own pre-push check is not installed, and pre-commit never runs a pre-push "
        "hook for a branch deletion (git push origin --delete <protected branch> would go "
        "unchecked). Run `agentgov install git` once in this clone (it keeps pre-commit's "
        f"hooks and wraps its pre-push script), then {action} again\n"
    )


@pytest.fixture
def pre_commit_alone(bare_clone: Clone, monkeypatch: pytest.MonkeyPatch) -> Clone:
    """agentgov's manifest hooks run by pre-commit alone (`pre-commit install`, never
    `agentgov install git`), with release/1.0 on the remote. The hooks are the manifest's,
    as a ``repo: local`` block (language: system) so the test needs no package index."""
    monkeypatch.setenv("HOME", str(bare_clone.home))
    monkeypatch.setenv("PRE_COMMIT_HOME", str(bare_clone.home / "pre-commit-cache"))
    clone = replace(bare_clone, env=tuple(ON_PATH.items()))
    edited = with_agentgov(TEAM_CONFIG, Path(".pre-commit-config.yaml"))
    assert edited is not None
    (clone.path / ".pre-commit-config.yaml").write_text(edited)
    clone.git("add", ".pre-commit-config.yaml")
    clone.git("commit", "-q", "-m", "pre-commit config")
    clone.git("push", "-q", "origin", "main", "main:refs/heads/release/1.0")
    subprocess.run(
        [*PRE_COMMIT, "install", "--hook-type", "pre-commit", "--hook-type", "pre-push"],
        cwd=clone.path,
        check=True,
        capture_output=True,
    )
    return clone


def test_pre_commit_alone_refuses_every_commit_until_the_wrapper_is_installed(
    pre_commit_alone: Clone,
) -> None:
    (pre_commit_alone.path / "notes.txt").write_text("work\n")
    pre_commit_alone.git("add", "notes.txt")
    done = pre_commit_alone.run("commit", "-q", "-m", "work")
    assert done.returncode == 1
    assert wrapper_missing("commit") in done.stdout + done.stderr
    assert pre_commit_alone.git("status", "--porcelain") == "A  notes.txt\n"


def test_pre_commit_alone_refuses_every_push_it_shows_agentgov(pre_commit_alone: Clone) -> None:
    pre_commit_alone.git("commit", "-q", "--no-verify", "--allow-empty", "-m", "ahead")
    done = pre_commit_alone.run("push", "origin", "main")
    assert done.returncode == 1
    assert wrapper_missing("push") in done.stdout + done.stderr
    assert pre_commit_alone.remote_head() != pre_commit_alone.head()


def test_after_agentgov_install_git_deletions_are_refused_and_fast_forwards_pass(
    pre_commit_alone: Clone,
) -> None:
    installed = pre_commit_alone.run_command([str(AGENTGOV), "install", "git"])
    assert installed.returncode == 0, installed.stderr
    deleted = pre_commit_alone.run("push", "origin", "--delete", "release/1.0")
    assert deleted.returncode == 1
    assert "[git.delete-protected-branch] refs/heads/release/1.0" in deleted.stderr
    assert pre_commit_alone.remote_head("refs/heads/release/1.0") is not None
    pre_commit_alone.commit("ahead")
    pushed = pre_commit_alone.run("push", "origin", "main")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert pre_commit_alone.remote_head() == pre_commit_alone.head()


def test_pre_commit_run_outside_git_hooks_is_not_refused(pre_commit_alone: Clone) -> None:
    """CI's `pre-commit run --all-files` installs no git hooks: nothing to wrap."""
    for name in ("pre-commit", "pre-push"):
        (pre_commit_alone.path / ".git" / "hooks" / name).unlink()
    done = pre_commit_alone.run_command([*PRE_COMMIT, "run", "--all-files"])
    assert done.returncode == 0, done.stdout
    assert "agentgov: validate the policy, guard its files" in done.stdout


def test_uninstall_restores_the_config_and_the_hooks(
    bare_clone: Clone, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(bare_clone.home))
    hooks = bare_clone.path / ".git" / "hooks"
    own = "#!/bin/sh\necho team pre-push\n"
    (hooks / "pre-push").write_text(own)
    (hooks / "pre-push").chmod(0o755)
    (bare_clone.path / ".pre-commit-config.yaml").write_text(TEAM_CONFIG)
    before = sorted(p.name for p in hooks.iterdir())
    install_git(bare_clone.path, agentgov_bin=AGENTGOV, pre_commit=PRE_COMMIT)
    report = uninstall_git(bare_clone.path, pre_commit=PRE_COMMIT)
    assert report.config_changed
    assert set(report.hook_types) == {"pre-commit", "pre-push", "post-commit", "post-rewrite"}
    assert (bare_clone.path / ".pre-commit-config.yaml").read_text() == TEAM_CONFIG
    assert sorted(p.name for p in hooks.iterdir()) == before
    assert (hooks / "pre-push").read_text() == own


def test_uninstall_keeps_later_edits_to_the_config(
    framework: Clone, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = framework.path / ".pre-commit-config.yaml"
    path.write_text(path.read_text().replace("# formatting first", "# formatting first!"))
    uninstall_git(framework.path, pre_commit=PRE_COMMIT)
    assert path.read_text() == TEAM_CONFIG.replace("# formatting first", "# formatting first!")


# agentgov run by an interpreter that cannot import pre-commit (as a pipx install of
# agentgov sees it) with a PATH that has no pre-commit either.
WITHOUT_PRE_COMMIT = [
    sys.executable,
    "-c",
    "import sys; sys.modules['pre_commit'] = None; from agentgov.entry import main; "
    "sys.exit(main())",
]


def test_uninstall_without_pre_commit_changes_nothing_and_names_uninstall(
    framework: Clone,
) -> None:
    hooks = framework.path / ".git" / "hooks"
    config_path = framework.path / ".pre-commit-config.yaml"
    before = ({p.name: p.read_bytes() for p in hooks.iterdir()}, config_path.read_bytes())
    state = framework.path / ".git" / "agentgov" / "git-hooks-install.json"
    done = framework.run_command(
        [*WITHOUT_PRE_COMMIT, "uninstall", "git"], env={"PATH": "/usr/bin:/bin"}
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "agentgov: agentgov's install ran `pre-commit install` here, and undoing it needs "
        "pre-commit, which is not installed; nothing was changed: pip install pre-commit, "
        "then rerun `agentgov uninstall git`\n"
    )
    assert ({p.name: p.read_bytes() for p in hooks.iterdir()}, config_path.read_bytes()) == before
    assert state.is_file()
    assert framework.git("config", "--get-all", "notes.rewriteRef").split() == [
        "refs/notes/agentgo[v]"
    ]
    # With pre-commit back, the same command undoes everything.
    again = framework.run_command([*PRE_COMMIT[:1], "-m", "agentgov", "uninstall", "git"])
    assert again.returncode == 0, again.stderr
    assert config_path.read_text() == TEAM_CONFIG
    assert not state.exists()
