"""`agentgov install claude-code` / `uninstall`: merge, idempotence, refusal, exact removal
byte for byte, permission rules Claude Code matches, upgrades from earlier installs, and a
shim that never lets a missing binary open the gate."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agentgov.adapters.claude_code.settings import BASH_DENY_RULES, DENY_RULES, PROJECT_COMMAND

EXISTING = """{
    "model": "claude-sonnet-4-6",
    "permissions": {
        "allow": ["Bash(npm test)"],
        "deny": ["Bash(git push --force *)", "Read(./secrets/**)"]
    },
    "hooks": {
        "PreToolUse": [
            {"matcher": "Bash", "hooks": [{"type": "command", "command": "./lint-hook.sh"}]}
        ]
    }
}
"""


def agentgov(cwd: Path, *args: str, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if home is not None:
        env["HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "agentgov", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def settings(repo: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((repo / ".claude" / "settings.json").read_text())
    return data


def test_install_merges_keeps_everything_and_is_idempotent(repo: Path) -> None:
    (repo / ".claude").mkdir()
    (repo / ".claude" / "settings.json").write_text(EXISTING)
    done = agentgov(repo, "install", "claude-code")
    assert done.returncode == 0, done.stderr
    data = settings(repo)
    assert data["model"] == "claude-sonnet-4-6"
    hooks = data["hooks"]
    assert isinstance(hooks, dict)
    pre = hooks["PreToolUse"]
    assert pre[0] == {
        "matcher": "Bash",
        "hooks": [{"type": "command", "command": "./lint-hook.sh"}],
    }
    assert pre[1] == {
        "matcher": "*",
        "hooks": [{"type": "command", "command": PROJECT_COMMAND, "timeout": 30}],
    }
    assert set(hooks) == {
        "PreToolUse",
        "PostToolUse",
        "PostToolUseFailure",
        "PermissionRequest",
        "PermissionDenied",
        "UserPromptSubmit",
        "Stop",
        "SubagentStart",
        "SubagentStop",
        "SessionStart",
        "SessionEnd",
    }
    permissions = data["permissions"]
    assert isinstance(permissions, dict)
    assert permissions["allow"] == ["Bash(npm test)"]
    assert permissions["deny"][:2] == ["Bash(git push --force *)", "Read(./secrets/**)"]
    assert set(DENY_RULES) <= set(permissions["deny"])
    assert len(permissions["deny"]) == len(set(permissions["deny"]))
    text = (repo / ".claude" / "settings.json").read_text()
    assert text.startswith('{\n    "model"')  # four-space indentation kept
    again = agentgov(repo, "install", "claude-code")
    assert "already up to date" in again.stdout
    assert (repo / ".claude" / "settings.json").read_text() == text


def test_uninstall_removes_exactly_what_was_added(repo: Path) -> None:
    (repo / ".claude").mkdir()
    path = repo / ".claude" / "settings.json"
    path.write_text(EXISTING)
    agentgov(repo, "install", "claude-code")
    done = agentgov(repo, "uninstall", "claude-code")
    assert done.returncode == 0, done.stderr
    assert json.loads(path.read_text()) == json.loads(EXISTING)
    assert not (repo / ".agentgov" / "claude-hook.sh").exists()


def test_install_into_a_fresh_repo_and_uninstall_leaves_nothing(repo: Path) -> None:
    agentgov(repo, "install", "claude-code")
    assert (repo / ".agentgov" / "claude-hook.sh").stat().st_mode & 0o111
    done = agentgov(repo, "uninstall", "claude-code")
    assert done.returncode == 0, done.stderr
    assert not (repo / ".claude").exists()
    assert not (repo / ".agentgov").exists()  # agentgov created it, and it is empty again


def test_uninstall_keeps_an_agentgov_directory_that_holds_a_policy(repo: Path) -> None:
    assert agentgov(repo, "init").returncode == 0
    before = {p.name: p.read_bytes() for p in (repo / ".agentgov").iterdir()}
    assert "policy.yaml" in before
    agentgov(repo, "install", "claude-code")
    agentgov(repo, "uninstall", "claude-code")
    assert {p.name: p.read_bytes() for p in (repo / ".agentgov").iterdir()} == before


def test_uninstall_keeps_a_directory_agentgov_created_once_it_holds_more(repo: Path) -> None:
    agentgov(repo, "install", "claude-code")
    (repo / ".agentgov" / "notes.txt").write_text("mine\n")
    agentgov(repo, "uninstall", "claude-code")
    assert sorted(p.name for p in (repo / ".agentgov").iterdir()) == ["notes.txt"]


# Hand-written settings files in the styles people use. Install changes only what it adds,
# and uninstall gives back every byte.
HAND_WRITTEN = {
    "four spaces, inline arrays, no final newline": EXISTING.rstrip("\n"),
    "two spaces, unicode escapes, spaced colons": (
        '{\n  "model" : "opus",\n  "env" : {"GREETING" : "caf\\u00e9 \\ud83d\\ude00"},\n'
        '  "permissions" : {\n    "deny" : [\n      "Read(./.env)"\n    ]\n  }\n}\n'
    ),
    "tabs and literal unicode": (
        '{\n\t"statusLine": {\n\t\t"type": "command",\n\t\t"command": "echo café ☕"\n\t},\n'
        '\t"hooks": {\n\t\t"Stop": []\n\t}\n}\n'
    ),
    "one line": '{"model":"sonnet","permissions":{"allow":["Bash(ls)"]}}',
    "empty object": "{}\n",
}


@pytest.mark.parametrize("text", HAND_WRITTEN.values(), ids=HAND_WRITTEN.keys())
def test_install_then_uninstall_gives_back_every_byte(repo: Path, text: str) -> None:
    (repo / ".claude").mkdir()
    path = repo / ".claude" / "settings.json"
    path.write_bytes(text.encode())
    assert agentgov(repo, "install", "claude-code").returncode == 0
    installed = path.read_text()
    data = json.loads(installed)
    original = json.loads(text)
    for key, value in original.items():
        if key not in {"hooks", "permissions"}:
            assert data[key] == value
    assert set(DENY_RULES) <= set(data["permissions"]["deny"])
    assert agentgov(repo, "install", "claude-code").stdout.count("already up to date") == 1
    done = agentgov(repo, "uninstall", "claude-code")
    assert done.returncode == 0, done.stderr
    assert path.read_bytes() == text.encode()


def test_install_leaves_the_lines_it_does_not_add_alone(repo: Path) -> None:
    (repo / ".claude").mkdir()
    path = repo / ".claude" / "settings.json"
    path.write_text(EXISTING)
    agentgov(repo, "install", "claude-code")
    installed = path.read_text()
    for line in (
        '    "model": "claude-sonnet-4-6",',
        '        "allow": ["Bash(npm test)"],',
        '            {"matcher": "Bash", "hooks": [{"type": "command", '
        '"command": "./lint-hook.sh"}]},',
    ):
        assert line in installed.splitlines()
    assert installed.endswith("}\n")


def test_a_file_with_comments_is_refused_untouched(repo: Path) -> None:
    (repo / ".claude").mkdir()
    path = repo / ".claude" / "settings.json"
    text = '{\n  // our team rules\n  "model": "opus"\n}\n'
    path.write_text(text)
    done = agentgov(repo, "install", "claude-code")
    assert done.returncode == 2
    assert "is not valid JSON" in done.stderr
    assert path.read_text() == text
    assert not (repo / ".agentgov").exists()


def test_no_rule_is_one_claude_code_never_matches() -> None:
    """Claude Code checks file permissions against Edit(path) rules only: Write(path),
    MultiEdit(path) and NotebookEdit(path) rules are never consulted (claude doctor)."""
    for rule in DENY_RULES:
        tool, _, specifier = rule.partition("(")
        assert tool in {"Bash", "Edit"}, rule
        assert specifier.endswith(")"), rule
        assert ":*" not in specifier[:-2], rule  # the legacy suffix is recognised at the end only
    assert all(rule.startswith("Edit(/") for rule in DENY_RULES if rule.startswith("Edit"))


def test_every_bash_rule_denies_only_what_the_policy_always_forbids(repo: Path) -> None:
    """A rule acts before the hook's verdict counts, so it must never deny what the policy
    allows: each example is forbidden at level 5, and the look-alikes are not denied."""
    examples = {
        rule: rule[len("Bash(") : -1].replace(" *", " origin feature/x", 1).replace("*", "x")
        for rule in BASH_DENY_RULES
    }
    allowed_lookalikes = [
        "rm -rf /tmp/build",  # Bash(rm -rf /*) used to deny this: '*' is a wildcard
        "git push --force origin feature/x",  # judged by branch: the hook owns force-pushes
        "git push -f origin feature/x",
        "git config --get core.hooksPath",
    ]
    agentgov(repo, "init")
    lines = "".join(
        json.dumps({"command": c}) + "\n" for c in [*examples.values(), *allowed_lookalikes]
    )
    done = subprocess.run(
        [sys.executable, "-m", "agentgov", "decide", "--batch", "--level", "5"],
        input=lines,
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    verdicts = [json.loads(line)["decision"] for line in done.stdout.splitlines()]
    assert verdicts[: len(examples)] == ["deny"] * len(examples), list(examples.values())
    assert "deny" not in verdicts[len(examples) :]


# What agentgov 0.x wrote: 27 rules, the four Write(...) ones dead, relative Edit paths.
EARLIER_RULES = [
    "Bash(git push --force *)",
    "Bash(git push -f *)",
    "Bash(git push --force-with-lease *)",
    "Bash(git push --mirror *)",
    "Bash(git push * --force)",
    "Bash(git push * -f)",
    "Bash(git commit --no-verify *)",
    "Bash(git commit -n *)",
    "Bash(git push --no-verify *)",
    "Bash(git config core.hooksPath *)",
    "Bash(git config --global core.hooksPath *)",
    "Bash(rm -rf /)",
    "Bash(rm -rf / *)",
    "Bash(rm -rf /*)",
    "Bash(rm -rf ~)",
    "Bash(rm -rf ~/)",
    "Bash(sudo rm -rf /*)",
    "Bash(terraform destroy *)",
    "Bash(tofu destroy *)",
    "Edit(.agentgov/**)",
    "Write(.agentgov/**)",
    "Edit(.claude/settings.json)",
    "Write(.claude/settings.json)",
    "Edit(.claude/settings.local.json)",
    "Write(.claude/settings.local.json)",
    "Edit(.git/hooks/**)",
    "Write(.git/hooks/**)",
]


def _earlier_install(repo: Path) -> bytes:
    """The files an earlier agentgov left: its rules after the user's, and its state."""
    (repo / ".claude").mkdir()
    (repo / ".agentgov").mkdir()
    handler = {"type": "command", "command": PROJECT_COMMAND, "timeout": 30}
    data = {
        "model": "claude-sonnet-4-6",
        "permissions": {"deny": ["Read(./secrets/**)", *EARLIER_RULES]},
        "hooks": {"PreToolUse": [{"matcher": "*", "hooks": [handler]}]},
    }
    path = repo / ".claude" / "settings.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    state = {"deny": sorted(EARLIER_RULES), "command": PROJECT_COMMAND}
    (repo / ".agentgov" / "agentgov-install.json").write_text(json.dumps(state, indent=2))
    return path.read_bytes()


def test_reinstall_removes_the_rules_an_earlier_agentgov_wrote_and_no_longer_writes(
    repo: Path,
) -> None:
    _earlier_install(repo)
    done = agentgov(repo, "install", "claude-code")
    assert done.returncode == 0, done.stderr
    deny = settings(repo)["permissions"]["deny"]  # type: ignore[index]
    assert deny[0] == "Read(./secrets/**)"
    assert sorted(deny[1:]) == sorted(DENY_RULES)
    assert not [rule for rule in deny if rule.startswith("Write(")]
    agentgov(repo, "uninstall", "claude-code")
    assert settings(repo) == {
        "model": "claude-sonnet-4-6",
        "permissions": {"deny": ["Read(./secrets/**)"]},
    }


def test_uninstall_of_an_earlier_install_removes_its_dead_rules_too(repo: Path) -> None:
    _earlier_install(repo)
    done = agentgov(repo, "uninstall", "claude-code")
    assert done.returncode == 0, done.stderr
    assert "27 deny rules" in done.stdout
    assert settings(repo) == {
        "model": "claude-sonnet-4-6",
        "permissions": {"deny": ["Read(./secrets/**)"]},
    }


def test_invalid_json_is_refused_untouched(repo: Path) -> None:
    (repo / ".claude").mkdir()
    path = repo / ".claude" / "settings.json"
    path.write_text('{"hooks": {,}}')
    done = agentgov(repo, "install", "claude-code")
    assert done.returncode == 2
    assert "is not valid JSON" in done.stderr
    assert "agentgov did not change it" in done.stderr
    assert path.read_text() == '{"hooks": {,}}'


def test_user_install_writes_under_home(repo: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    done = agentgov(repo, "install", "claude-code", "--user", home=home)
    assert done.returncode == 0, done.stderr
    data = json.loads((home / ".claude" / "settings.json").read_text())
    command = data["hooks"]["PreToolUse"][0]["hooks"][0]["command"]
    assert str(home / ".claude" / "agentgov-hook.sh") in command
    assert not (repo / ".claude").exists()
    # In user settings "/path" would mean ~/.claude/path: guard files are matched anywhere.
    edits = [rule for rule in data["permissions"]["deny"] if rule.startswith("Edit(")]
    assert edits == [
        "Edit(//**/.agentgov/**)",
        "Edit(//**/.claude/settings.json)",
        "Edit(//**/.claude/settings.local.json)",
        "Edit(//**/.git/hooks/**)",
        "Edit(~/.claude/agentgov-hook.sh)",
        "Edit(~/.claude/agentgov-install.json)",
    ]
    agentgov(repo, "uninstall", "claude-code", "--user", home=home)
    assert sorted(p.name for p in home.iterdir()) == []


def run_command(
    command: str, project: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run a settings.json hook command the way Claude Code does: through a shell."""
    return subprocess.run(
        ["bash", "-c", command],
        input="{}",
        cwd=project,
        capture_output=True,
        text=True,
        env={**env, "CLAUDE_PROJECT_DIR": str(project)},
        check=False,
    )


def test_missing_shim_blocks_with_exit_2(repo: Path) -> None:
    done = run_command(PROJECT_COMMAND, repo, {"PATH": os.environ["PATH"]})
    assert done.returncode == 2
    assert "agentgov hook shim missing" in done.stderr


def test_shim_without_agentgov_blocks_with_the_install_command(repo: Path) -> None:
    agentgov(repo, "install", "claude-code")
    done = run_command(PROJECT_COMMAND, repo, {"PATH": "/usr/bin:/bin"})
    assert done.returncode == 2
    assert "agentgov is not installed" in done.stderr
    assert "pip install agentgov" in done.stderr


def test_shim_finds_agentgov_and_runs_the_hook(repo: Path) -> None:
    agentgov(repo, "install", "claude-code")
    binary = Path(sys.executable).parent / "agentgov"
    event = {
        "session_id": "s1",
        "transcript_path": "",
        "cwd": str(repo),
        "permission_mode": "default",
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": "git push --force origin main"},
        "tool_use_id": "t1",
    }
    done = subprocess.run(
        ["bash", "-c", PROJECT_COMMAND],
        input=json.dumps(event),
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        env={
            "PATH": "/usr/bin:/bin",
            "CLAUDE_PROJECT_DIR": str(repo),
            "AGENTGOV_BIN": str(binary),
            "HOME": str(repo),
        },
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"


def test_shim_turns_a_crash_into_a_block(repo: Path, tmp_path: Path) -> None:
    agentgov(repo, "install", "claude-code")
    crasher = tmp_path / "agentgov"
    crasher.write_text("#!/bin/sh\nkill -SEGV $$\n")
    crasher.chmod(0o755)
    done = subprocess.run(
        ["bash", "-c", PROJECT_COMMAND],
        input="{}",
        cwd=repo,
        capture_output=True,
        text=True,
        env={
            "PATH": "/usr/bin:/bin",
            "CLAUDE_PROJECT_DIR": str(repo),
            "AGENTGOV_BIN": str(crasher),
        },
        check=False,
    )
    assert done.returncode == 2
    assert "stopped abnormally" in done.stderr
