"""fs.recursive-delete-root: recursive deletion of /, ~ or a system directory."""

from __future__ import annotations

import pytest

from agentgov.evaluators.rules.fs.recursive_delete_root import REMEDIATION, RULE
from agentgov.policy.model import ActionClass
from tests.rules.ruletest import HOME, context, hits

POSITIVE = [
    "rm -rf /",
    "rm -rf /*",
    "rm -fr /",
    "rm -Rf /",
    "rm -r -f /",
    "rm -rfv /",
    "rm --recursive --force /",
    "rm --recur /",
    "rm -rf -- /",
    "rm / -rf",
    "rm -rf --no-preserve-root /",
    "rm -rf --no-preserve-root ./anything",
    "rm -rf /.",
    "rm -rf //",
    "rm -rf ~",
    "rm -rf ~/",
    "rm -rf ~/*",
    'rm -rf "$HOME"',
    "rm -rf $HOME/",
    'rm -rf "${HOME}"',
    'rm -rf "${HOME:?}"/*',
    "rm -rf ${HOME:?}/",
    f"rm -rf {HOME}",
    "rm -rf ~root",
    "rm -rf /home",
    "rm -rf ../../..",
    "rm -rf ../..",
    "cd / && rm -rf usr",
    "cd ~ && rm -rf .",
    "rm -rf /usr",
    "rm -rf /etc",
    "rm -rf /var",
    "rm -rf /usr/lib",
    "rm -rf /var/lib",
    "rm -rf /usr/*",
    "rm -rf /bin /boot /dev",
    "rm -rf build /etc",
    "find / -delete",
    "find / -mindepth 1 -delete",
    "find ~ -delete",
    "find / -exec rm -rf {} +",
    "find /usr -execdir rm -f {} \\;",
    "find / -name '*' -delete",
    "rsync -a --delete /tmp/empty/ /",
    "rsync -a --delete-before empty/ ~/",
    "echo / | xargs rm -rf",
    "find / -depth -print0 | xargs -0 rm -rf",
    "echo ~ | sudo xargs rm -rf",
    "sudo rm -rf /",
    "sudo -u root rm -rf /etc",
    "/bin/rm -rf /",
    "\\rm -rf /",
    "'r'm -rf /",
    "busybox rm -rf /",
    "bash -c 'rm -rf /'",
    'sh -c "rm -rf ~"',
    'eval "rm -rf /*"',
    "echo $(rm -rf /)",
    "(rm -rf /usr)",
    "make clean && rm -rf /",
    "env X=1 rm -rf /",
    "nice rm -rf ~/",
    "timeout 5 rm -rf /",
    "D=/; rm -rf $D",
]

NEGATIVE = [
    "rm -rf ./build",
    "rm -rf build dist",
    "rm -rf node_modules",
    "rm -rf /tmp/foo",
    "rm -rf /tmp/*",
    "rm -rf /var/tmp/x",
    "rm -rf /var/tmp/*",
    "rm -rf ~/.cache/pip",
    "rm -rf ~/.cache/*",
    "rm -rf ~/*.log",
    "rm -rf /usr/local/lib/python3.12/site-packages/foo",
    "rm -rf /var/lib/apt/lists/*",
    "rm -f /etc/motd",
    "rm /",
    'rm -rf /"$X"',
    'rm -rf "$BUILD_DIR"',
    "rm -rf ${HOME:+x}",
    "find ~ -name '*.pyc' -delete",
    "find / -name core -type f -delete",
    "find . -delete",
    "find / -name foo",
    "find / -name '*.orig' | xargs rm -f",
    "find . -print0 | xargs -0 rm -rf",
    "rsync -a /tmp/empty/ /",
    'echo "rm -rf /"',
    "grep -rn 'rm -rf /' scripts/",
    'git commit -m "never rm -rf /"',
    "printf '%s\\n' 'rm -rf ~'",
    "rmdir /tmp/empty",
]


def test_tables_are_big_enough() -> None:
    assert len(POSITIVE) >= 20
    assert len(NEGATIVE) >= 10


def test_cannot_be_disabled() -> None:
    assert RULE.can_disable is False


@pytest.mark.parametrize("command", POSITIVE)
def test_flags_root_level_deletion(command: str) -> None:
    found = hits(RULE, command, context())
    assert found
    assert {hit.rule for hit in found} == {"fs.recursive-delete-root"}
    assert {hit.action_class for hit in found} == {ActionClass.FORBIDDEN}


@pytest.mark.parametrize("command", NEGATIVE)
def test_ignores_ordinary_deletes_and_look_alikes(command: str) -> None:
    assert hits(RULE, command, context()) == []


def test_home_is_named_and_fragment_keeps_sudo() -> None:
    [hit] = hits(RULE, 'sudo rm -rf "$HOME"', context())
    assert hit.fragment == 'sudo rm -rf "$HOME"'
    assert hit.message.startswith(f"rm -r deletes the home directory {HOME}, with everything")
    assert hit.remediation == REMEDIATION
    assert hit.remediation == (
        "delete only what you created, by its exact path inside the project or a temporary "
        "directory (for example rm -rf ./build); never a root, home or system directory"
    )


def test_inside_a_shell_string_the_fragment_is_the_inner_command() -> None:
    [hit] = hits(RULE, "bash -c 'cd / && rm -rf usr'", context())
    assert hit.fragment == "rm -rf usr"
    assert "the system directory /usr" in hit.message
