"""guard.tamper: any change to the guard itself; it can never be turned off."""

from __future__ import annotations

from dataclasses import replace

import pytest

from agentgov.evaluators.rules.guard.tamper import (
    FILES_REMEDIATION,
    HOOKS_PATH_REMEDIATION,
    POLICY_COMMAND_REMEDIATION,
    REFS_REMEDIATION,
    RULE,
)
from agentgov.policy.model import ActionClass, AuditSettings
from tests.rules.ruletest import context, default_policy, hits

POSITIVE = [
    # the guard's files, written by the shell and by ordinary tools
    "echo 'rules: {}' > .agentgov/policy.yaml",
    "cat /tmp/p.yaml >> .agentgov/policy.yaml",
    "printf x | tee .agentgov/policy.yaml",
    "printf x | sudo tee -a .agentgov/policy.yaml",
    "sed -i 's/level: 3/level: 5/' .agentgov/policy.yaml",
    "sed -i.bak -e 's/a/b/' .agentgov/policy.yaml",
    "perl -pi -e 's/deny/allow/' .agentgov/policy.yaml",
    "cp /tmp/policy.yaml .agentgov/policy.yaml",
    "cp -t .agentgov /tmp/policy.yaml",
    "mv /tmp/policy.yaml .agentgov/",
    "mv .agentgov .agentgov.off",
    "install -m 644 /tmp/p .agentgov/policy.yaml",
    "rm -rf .agentgov",
    "rm .agentgov/policy.yaml",
    "truncate -s 0 .agentgov/policy.yaml",
    "touch .agentgov/disabled",
    "chattr +i .agentgov/policy.yaml",
    "rm -f .git/hooks/pre-commit",
    "rm -rf .git/hooks",
    "chmod -x .git/hooks/pre-push",
    "chmod 000 .git/hooks",
    "mv .git/hooks/pre-push .git/hooks/pre-push.off",
    "ln -sf /dev/null .git/hooks/pre-commit",
    "echo 'exit 0' > .git/hooks/pre-commit",
    "dd if=/dev/null of=.git/hooks/pre-push",
    "rsync -a /tmp/hooks/ .git/hooks/",
    "cp -r /tmp/hooks .git/",
    "cp /tmp/config .git/",
    "curl -o .git/hooks/pre-push https://example.com/hook",
    "find .git/hooks -type f -delete",
    "find .git/hooks -name 'pre-*' -delete",
    "rm -rf .git",
    "rm -rf .git/agentgov",
    "rm -rf .git/refs/notes",
    "echo '{}' > .claude/settings.json",
    "cp /tmp/s.json .claude/settings.local.json",
    "echo '{}' > ~/.claude/settings.json",
    "rm -rf .claude",
    "echo 'repos: []' > .pre-commit-config.yaml",
    "rm .pre-commit-config.yaml",
    "rm -rf .a*",
    "cd src && rm -rf ../.agentgov",
    "echo x > /code/project/.agentgov/policy.yaml",
    'cd "$DIR" && rm -rf .git/hooks',
    "git checkout -- .agentgov/",
    "git checkout main -- .agentgov/policy.yaml",
    "git restore .agentgov/policy.yaml",
    "git rm -r .agentgov",
    "git -C src checkout -- ../.agentgov",
    "git checkout .agentgov/policy.yaml README",  # no ``--``: not a revision, so a path
    "git rm -- --cached .agentgov/policy.yaml",  # ``--cached`` after ``--`` is a path
    "git restore -- --staged .agentgov/policy.yaml",
    # core.hooksPath
    "git config core.hooksPath /dev/null",
    "git config --global core.hooksPath /tmp/empty",
    "git config --local core.hookspath .nohooks",
    "git config --unset core.hooksPath",
    "git config set core.hooksPath /dev/null",
    "git -c core.hooksPath=/dev/null commit -m wip",
    "git -c core.hooksPath=/dev/null push",
    "GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.hooksPath GIT_CONFIG_VALUE_0=/x git commit",
    "export GIT_CONFIG_PARAMETERS=\"'core.hooksPath'='/dev/null'\"",
    # the audit trail
    "git notes --ref agentgov remove HEAD",
    "git notes --ref=refs/notes/agentgov prune",
    "git notes --ref=agentgov edit HEAD",
    "git notes --ref agentgov add -f -m forged HEAD",
    "git notes --ref notes/agentgov copy -f HEAD~1 HEAD",
    "GIT_NOTES_REF=refs/notes/agentgov git notes remove HEAD",
    "git -c core.notesRef=refs/notes/agentgov notes prune",
    "git update-ref -d refs/notes/agentgov",
    "git update-ref refs/notes/agentgov 0000000000000000000000000000000000000000",
    "git update-ref --stdin <<< 'delete refs/notes/agentgov'",
    "printf 'delete refs/notes/agentgov\\n' | git update-ref --stdin",
    "git push origin :refs/notes/agentgov",
    "git push origin --delete refs/notes/agentgov",
    "git push -f origin refs/notes/agentgov",
    "git push origin '+refs/notes/*:refs/notes/*'",
    # agentgov's own switches
    "AGENTGOV_DISABLE=1 git commit -m x",
    "AGENTGOV_DISABLE=1",
    "export AGENTGOV_SKIP=guard.tamper",
    "export AGENTGOV_LEVEL=5",
    "AGENTGOV_TASK_CLASS=docs git push",
    "AGENTGOV_KILL_SWITCH=0 claude",
    "unset AGENTGOV_KILL_SWITCH",
    "declare -x AGENTGOV_OFF=1",
    "env AGENTGOV_DISABLE=1 make deploy",
    "SKIP=agentgov git commit -m x",
    "SKIP=ruff,agentgov-check git commit -m x",
    "pre-commit uninstall",
    "pre-commit uninstall -t pre-push",
    "agentgov uninstall",
    "python -m agentgov uninstall",
    # obfuscations
    "sudo rm -rf .git/hooks",
    "bash -c 'echo x > .agentgov/policy.yaml'",
    'sh -c "git config core.hooksPath /dev/null"',
    "eval 'rm -rf .agentgov'",
    "true && (cd .git && rm -rf hooks)",
    "/usr/bin/git config core.hooksPath /dev/null",
    "\\rm -rf .agentgov",
    "'r'm -rf .agentgov",
    "echo .agentgov | xargs rm -rf; rm -rf .agentgov",
    "nohup rm -rf .git/hooks &",
]

NEGATIVE = [
    "cat .agentgov/policy.yaml",
    "less .claude/settings.json",
    "grep -n level .agentgov/policy.yaml",
    "cp .agentgov/policy.yaml /tmp/policy.yaml",
    "sed -n '1,20p' .agentgov/policy.yaml",
    "sed 's/a/b/' .agentgov/policy.yaml > /tmp/out.yaml",
    "ls -la .git/hooks",
    "git diff .agentgov/",
    "git add .agentgov/policy.yaml",
    "git rm --cached -r .agentgov",
    "git restore --staged .agentgov/policy.yaml",
    "git config core.hooksPath",
    "git config --get core.hooksPath",
    "git config user.name bot",
    "git notes --ref agentgov show HEAD",
    "git notes --ref agentgov add -m note HEAD",
    "git notes remove HEAD",
    "git push origin refs/notes/agentgov",
    "git fetch origin refs/notes/agentgov:refs/notes/agentgov",
    "echo 'AGENTGOV_DISABLE=1'",
    'git commit -m "rm -rf .agentgov"',
    "echo 'git config core.hooksPath /dev/null'",
    "AGENTGOV_KILL_SWITCH=1 claude",
    "SKIP=flake8 git commit -m x",
    "pre-commit install",
    "pre-commit run --all-files",
    "agentgov status",
    "agentgov audit sample",
    "agentgov audit flush",
    "agentgov audit verify --require",
    "agentgov metrics --format json",
    "agentgov incident list",
    "rm -rf *",
    "rm -rf build .cache",
    "echo hi > .gitignore",
    "cp x .git/",
    "find .git -name '*.lock' -delete",
    "find . -name '*.pyc' -delete",
    "echo x > /tmp/project/.agentgov/policy.yaml",
    "rm -rf /tmp/other/.git/hooks",
]


def test_tables_are_big_enough() -> None:
    assert len(POSITIVE) >= 20
    assert len(NEGATIVE) >= 10


def test_cannot_be_disabled() -> None:
    assert RULE.can_disable is False


@pytest.mark.parametrize("command", POSITIVE)
def test_flags_tampering(command: str) -> None:
    found = hits(RULE, command, context())
    assert found
    assert {hit.rule for hit in found} == {"guard.tamper"}
    assert {hit.action_class for hit in found} == {ActionClass.FORBIDDEN}


@pytest.mark.parametrize("command", NEGATIVE)
def test_ignores_reads_and_look_alikes(command: str) -> None:
    assert hits(RULE, command, context()) == []


def test_file_write_names_the_guarded_file() -> None:
    [hit] = hits(RULE, "sudo tee .agentgov/policy.yaml < /tmp/p", context())
    assert hit.fragment == "sudo tee .agentgov/policy.yaml < /tmp/p"
    assert hit.message.startswith(
        "tee on .agentgov/policy.yaml changes agentgov's policy directory .agentgov/"
    )
    assert hit.remediation == FILES_REMEDIATION


def test_hooks_path_remediation() -> None:
    [hit] = hits(RULE, "git -c core.hooksPath=/dev/null commit -m x", context())
    assert hit.remediation == HOOKS_PATH_REMEDIATION
    assert hit.remediation == (
        "leave core.hooksPath alone and let the hooks run; if a hook fails, fix what it reports"
    )


def test_notes_ref_comes_from_the_policy() -> None:
    policy = replace(default_policy(), audit=AuditSettings(notes_ref="refs/notes/trail"))
    ctx = context(policy=policy)
    assert hits(RULE, "git notes --ref trail remove HEAD", ctx)
    assert hits(RULE, "git notes --ref agentgov remove HEAD", ctx) == []


@pytest.mark.parametrize(
    "command",
    [
        "env -u AGENTGOV_AGENT claude",
        "env --unset=AGENTGOV_KILL_SWITCH git push",
        "sudo env -u AGENTGOV_AGENT -- git commit -m x",
        "env -i PATH=/usr/bin git commit -m x",
        "env -i bash",
    ],
)
def test_env_unset_or_emptied_environment(command: str) -> None:
    [hit] = hits(RULE, command, context())
    assert "AGENTGOV" in hit.message or "agentgov" in hit.message


# --- the policy in force (issue 9, section 2) ------------------------------------------

# Each moves a ref the policy in force is read from (the protected branches' local and
# remote-tracking refs, origin/HEAD, replace refs, grafts) or changes what origin means.
REF_MOVES = [
    "git update-ref refs/remotes/origin/main 1234abcd",
    "git update-ref refs/heads/main HEAD~3",
    "git update-ref -d refs/remotes/origin/main",
    "git update-ref --no-deref refs/remotes/origin/HEAD refs/remotes/origin/agent",
    "git update-ref refs/heads/release/1.0 1234abcd",
    "git update-ref -m swap refs/remotes/origin/master 1234abcd",
    "git update-ref origin/main 1234abcd",
    "printf 'update refs/remotes/origin/main 1234abcd\\n' | git update-ref --stdin",
    "git update-ref --stdin <<< 'delete refs/heads/main'",
    "git update-ref --stdin < /tmp/moves",
    "cat /tmp/moves | git update-ref --stdin",
    "git update-ref refs/replace/1234abcd 5678ef90",
    "git symbolic-ref refs/remotes/origin/HEAD refs/remotes/origin/agent",
    "git symbolic-ref -d refs/remotes/origin/HEAD",
    "git symbolic-ref refs/heads/main refs/heads/agent",
    "git branch -f main agent",
    "git branch --force main HEAD",
    "git branch -M agent main",
    "git branch -m main old-main",
    "git branch -C agent main",
    "git branch -D main",
    "git branch -r -d origin/main",
    "git checkout -B main agent",
    "git switch -C main",
    "git switch --force-create main agent",
    "git fetch origin +refs/heads/main:refs/remotes/origin/main",
    "git fetch origin +main:main",
    "git fetch origin +x:refs/remotes/origin/main",
    "git fetch -f origin agent:refs/remotes/origin/main",
    "git fetch --force origin main:main",
    "git fetch origin agent:refs/remotes/origin/main",
    "git fetch . agent:main",
    "git fetch /tmp/evil.git main:refs/remotes/origin/main",
    "git fetch origin '+refs/heads/agent*:refs/remotes/origin/*'",
    "git fetch --refmap='+refs/heads/agent:refs/remotes/origin/main' origin agent",
    "git pull origin +agent:refs/remotes/origin/main",
    "git push . agent:main",
    "git push . +HEAD:refs/remotes/origin/main",
    "git remote set-url origin /tmp/evil.git",
    "git remote add origin /tmp/evil.git",
    "git remote rename origin old",
    "git remote rename upstream origin",
    "git remote remove origin",
    "git remote rm origin",
    "git remote set-head origin agent",
    "git config remote.origin.url /tmp/evil.git",
    "git config remote.origin.fetch '+refs/heads/agent:refs/remotes/origin/main'",
    "git config --global url./tmp/evil.git.insteadOf https://example.com/org/repo",
    "git config --remove-section remote.origin",
    "git -c remote.origin.url=/tmp/evil.git fetch",
    "GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.origin.url GIT_CONFIG_VALUE_0=/tmp/e git fetch",
    "git replace 1234abcd 5678ef90",
    "git replace --graft HEAD main~5",
    "git replace -f 1234abcd 5678ef90",
    "echo 1234abcd > .git/refs/remotes/origin/main",
    "cp /tmp/ref .git/refs/heads/main",
    "rm .git/refs/remotes/origin/main",
    "rm -rf .git/refs/remotes",
    "sed -i 's/1234/5678/' .git/packed-refs",
    "printf '1234abcd refs/remotes/origin/main\\n' >> .git/packed-refs",
    "echo '1234abcd 5678ef90' > .git/info/grafts",
    "mv /tmp/x .git/refs/remotes/origin/HEAD",
    "tee .git/refs/heads/main < /tmp/sha",
    "rm .git/refs/remotes/origin/*",
    "bash -c 'git update-ref refs/remotes/origin/main 1234abcd'",
    "git -C src update-ref refs/heads/main 1234abcd",
    "/usr/bin/git symbolic-ref refs/remotes/origin/HEAD refs/remotes/origin/agent",
    "git -c alias.u=update-ref u refs/heads/main 1234abcd",
    "sudo git branch -f main agent",
    "git worktree add -B main /tmp/wt agent",
    "git config alias.u update-ref",
    "git config --global alias.sr 'symbolic-ref'",
    "git config alias.x '!git update-ref refs/remotes/origin/main 1234abcd'",
    "git config remote.origin.mirror true",
    "git config --add remote.origin.fetch '+refs/heads/agent:refs/remotes/origin/main'",
    "cd .git/refs/remotes/origin && echo 1234abcd > main",
    "git fetch bundle.pack main:refs/remotes/origin/main",
]

# Reviews, CI results and records attached to chosen commits are the evidence autonomy is
# earned on: a person or CI records them, never the agent.
EVIDENCE_COMMANDS = [
    "agentgov audit review 1a2b3c4d --agree",
    "python -m agentgov audit review HEAD~1 --agree --note fine",
    "agentgov ci record --status pass",
    "env CI=1 .venv/bin/agentgov ci record --status pass --commit HEAD",
    "agentgov audit reattach main..topic --onto HEAD",
    "agentgov audit flush --commit HEAD~5",
    "agentgov audit flush --commit=abc1234",
]

# Only a person moves or drops the policy in force, however agentgov is launched.
POLICY_COMMANDS = [
    "agentgov policy accept",
    "agentgov policy forget",
    "agentgov policy accept --commit origin/agent",
    "python -m agentgov policy accept",
    "python3 -m agentgov policy forget",
    "python -I -m agentgov policy accept",
    "python -m agentgov.entry policy accept",
    ".venv/bin/agentgov policy accept",
    "/opt/tools/bin/agentgov policy accept",
    ".venv/bin/python -m agentgov policy forget",
    "env agentgov policy accept",
    "env PATH=/usr/bin agentgov policy forget",
    "sh -c 'agentgov policy accept'",
    "uv run agentgov policy accept",
    "sudo agentgov policy accept",
]

# The memory of the policy in force lives in .git/agentgov/, a guarded path.
MEMORY_WRITES = [
    "echo x > .git/agentgov/policy/in-force",
    "rm .git/agentgov/policy/in-force",
    "rm -rf .git/agentgov/policy",
    "mv .git/agentgov /tmp/ag",
    "cp /tmp/memory .git/agentgov/policy/in-force",
    "tee .git/agentgov/policy/in-force < /tmp/m",
    "sed -i 's/a/b/' .git/agentgov/policy/in-force",
    "truncate -s 0 .git/agentgov/policy/in-force",
    "ln -sf /tmp/m .git/agentgov/policy/in-force",
    "find .git/agentgov -delete",
]

REF_LOOKALIKES = [
    "git fetch",
    "git fetch origin",
    "git fetch origin main",
    "git fetch --all --prune",
    "git fetch origin main:refs/remotes/origin/main",
    "git fetch origin main:main",
    "git fetch origin '+refs/heads/*:refs/remotes/origin/*'",
    "git fetch origin +feature:feature",
    "git fetch -f origin feature:refs/remotes/origin/feature",
    "git pull",
    "git pull --rebase origin main",
    "git branch -f feature x",
    "git branch -D feature",
    "git branch -m old-name new-name",
    "git branch main origin/main",
    "git branch -c main main-copy",
    "git branch -u origin/main",
    "git branch --list",
    "git update-ref refs/heads/feature HEAD",
    "git update-ref -d refs/heads/feature",
    "printf 'update refs/heads/feature 1234abcd\\n' | git update-ref --stdin",
    "git update-ref HEAD 1234abcd",
    "git symbolic-ref HEAD",
    "git symbolic-ref --short HEAD",
    "git symbolic-ref refs/remotes/origin/HEAD",
    "git symbolic-ref HEAD refs/heads/feature",
    "git checkout -B feature origin/main",
    "git checkout main",
    "git checkout -b main-fix",
    "git switch -C feature",
    "git switch main",
    "git remote -v",
    "git remote add upstream https://example.com/x.git",
    "git remote set-url upstream https://example.com/y.git",
    "git remote set-head origin --auto",
    "git remote prune origin",
    "git remote get-url origin",
    "git config remote.origin.url",
    "git config --get remote.origin.fetch",
    "git config remote.upstream.url https://example.com/x.git",
    "git replace -l",
    "git replace",
    "git push origin HEAD:feature",
    "git push . HEAD:feature",
    "cat .git/refs/remotes/origin/main",
    "cat .git/packed-refs",
    "cp .git/refs/heads/main /tmp/main-sha",
    "echo 1234abcd > .git/refs/heads/feature",
    "rm .git/refs/heads/feature",
    "agentgov policy show",
    "python -m agentgov policy show",
    "agentgov validate",
    "echo 'agentgov policy accept'",
    'git commit -m "agentgov policy accept"',
    "git worktree add -B feature /tmp/wt",
    "git worktree add /tmp/wt main",
    "git config alias.co checkout",
    "git config alias.lg 'log --oneline --graph'",
    "git config remote.origin.pushurl https://example.com/fork.git",
]


def test_policy_tables_are_big_enough() -> None:
    assert len(REF_MOVES) >= 20
    assert len(REF_LOOKALIKES) >= 10


@pytest.mark.parametrize("command", REF_MOVES)
def test_moving_the_policys_refs_is_tampering(command: str) -> None:
    found = hits(RULE, command, context())
    assert [(hit.rule, hit.action_class) for hit in found][:1] == [
        ("guard.tamper", ActionClass.FORBIDDEN)
    ]
    assert REFS_REMEDIATION in {hit.remediation for hit in found}


@pytest.mark.parametrize("command", POLICY_COMMANDS)
def test_the_agent_cannot_accept_or_forget_the_policy(command: str) -> None:
    [hit] = hits(RULE, command, context())
    assert hit.remediation == POLICY_COMMAND_REMEDIATION
    assert "moves the policy in force, which only a person may do" in hit.message


@pytest.mark.parametrize("command", EVIDENCE_COMMANDS)
def test_the_agent_cannot_write_its_own_evidence(command: str) -> None:
    found = hits(RULE, command, context())
    assert [(hit.rule, hit.action_class) for hit in found][:1] == [
        ("guard.tamper", ActionClass.FORBIDDEN)
    ]
    assert "writes the evidence autonomy is earned on" in found[0].message


@pytest.mark.parametrize("command", MEMORY_WRITES)
def test_the_memory_of_the_policy_in_force_is_guarded(command: str) -> None:
    found = hits(RULE, command, context())
    assert found
    assert found[0].remediation == FILES_REMEDIATION
    assert "in .git/agentgov/: agentgov's guard must not be edited" in found[0].message


@pytest.mark.parametrize("command", REF_LOOKALIKES)
def test_ordinary_ref_commands_are_not_tampering(command: str) -> None:
    assert hits(RULE, command, context()) == []


def test_update_ref_of_head_while_on_a_protected_branch() -> None:
    [hit] = hits(RULE, "git update-ref HEAD 1234abcd", context(branch="main"))
    assert hit.message.startswith("moves HEAD, which is the protected branch main: ")
    assert hits(RULE, "git update-ref --no-deref HEAD 1234abcd", context(branch="main")) == []


def test_ref_move_message_says_what_moves() -> None:
    [hit] = hits(RULE, "git update-ref refs/remotes/origin/main 1234abcd", context())
    assert hit.message == (
        "moves refs/remotes/origin/main: the policy in force is read from the protected "
        "branch's refs, and moving them would swap it"
    )
    assert hit.remediation == REFS_REMEDIATION


def test_protected_branches_come_from_the_policy() -> None:
    policy = replace(default_policy(), protected_branches=("trunk",))
    ctx = context(policy=policy)
    assert hits(RULE, "git update-ref refs/remotes/origin/trunk 1234abcd", ctx)
    assert hits(RULE, "git branch -f trunk agent", ctx)
    assert hits(RULE, "git update-ref refs/remotes/origin/main 1234abcd", ctx) == []
    assert hits(RULE, "git branch -f main agent", ctx) == []


def test_ref_files_of_a_touched_repository_are_guarded_from_any_cwd() -> None:
    outside = replace(context(cwd="/code"), project_root=None, repositories=("/code/project",))
    [hit] = hits(RULE, "echo 1234abcd > project/.git/refs/remotes/origin/main", outside)
    assert hit.remediation == REFS_REMEDIATION
    assert hits(RULE, "echo 1234abcd > project/.git/refs/heads/feature", outside) == []
