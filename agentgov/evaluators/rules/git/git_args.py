"""Read a git command line: global options, the subcommand, and the words after it.

Handles ``git -C dir``, ``git -c key=value`` (keys are case-insensitive, as in git),
``--git-dir``/``--work-tree`` and the other global options, the dashed form
``git-push`` (``/usr/lib/git-core/git-push``), configuration passed through the
``GIT_CONFIG_COUNT``/``GIT_CONFIG_KEY_n``/``GIT_CONFIG_VALUE_n`` and
``GIT_CONFIG_PARAMETERS`` environment, and aliases defined on the same command line
(``git -c alias.p='push -f' p``), so that none of them hides the subcommand.
"""

from __future__ import annotations

import contextlib
import shlex
from dataclasses import dataclass

from agentgov.evaluators.rules.base import once_per_analysis
from agentgov.evaluators.rules.cli_options import OptionSpec, ParsedOptions, parse_options
from agentgov.evaluators.shell.model import Analysis, SimpleCommand, Word

_GLOBAL_WITH_VALUE = frozenset(
    {
        "-C",
        "-c",
        "--git-dir",
        "--work-tree",
        "--namespace",
        "--config-env",
        "--super-prefix",
        "--attr-source",
    }
)
_ALIAS_DEPTH = 10


@dataclass(frozen=True)
class GitCommand:
    """One git invocation.

    - ``subcommand`` is ``push``, ``commit``...; ``""`` when absent or not static.
    - ``args`` are the words after the subcommand.
    - ``config`` holds ``(key, value)`` pairs set for this command only, keys lowercased.
    - ``directories`` are the ``-C`` arguments, in order.
    """

    command: SimpleCommand
    subcommand: str
    args: tuple[Word, ...]
    config: tuple[tuple[str, str], ...] = ()
    directories: tuple[str, ...] = ()

    def parse(self, spec: OptionSpec) -> ParsedOptions:
        return parse_options(self.args, spec)

    def config_value(self, key: str) -> str | None:
        """The last value given for ``key`` on this command line (case-insensitive)."""
        wanted = key.lower()
        found = [value for name, value in self.config if name == wanted]
        return found[-1] if found else None


def _config_pair(text: str) -> tuple[str, str]:
    key, equals, value = text.partition("=")
    # ``-c key`` without ``=`` sets a boolean to true, as git does.
    return key.strip().lower(), value if equals else "true"


def _environment_config(command: SimpleCommand) -> list[tuple[str, str]]:
    if not command.assignments:
        return []
    env = {name: word.value for name, word in command.assignments}
    pairs: list[tuple[str, str]] = []
    parameters = env.get("GIT_CONFIG_PARAMETERS")
    if parameters:
        with contextlib.suppress(ValueError):  # unbalanced quotes: git rejects them too
            pairs.extend(_config_pair(item) for item in shlex.split(parameters))
    count = env.get("GIT_CONFIG_COUNT", "")
    if count.isdigit():
        for number in range(min(int(count), 100)):
            key = env.get(f"GIT_CONFIG_KEY_{number}")
            if key is not None:
                pairs.append((key.lower(), env.get(f"GIT_CONFIG_VALUE_{number}", "")))
    return pairs


def git_command(command: SimpleCommand) -> GitCommand | None:
    """Read ``command`` as a git invocation, or return None when it is not git."""
    if command.name.startswith("git-") and len(command.name) > 4:
        return GitCommand(
            command, command.name[4:], command.args, tuple(_environment_config(command))
        )
    if command.name != "git":
        return None
    config = _environment_config(command)
    directories: list[str] = []
    words = command.args
    index = 0
    while index < len(words) and words[index].value.startswith("-"):
        text = words[index].value
        name, equals, value = text.partition("=")
        if name in _GLOBAL_WITH_VALUE and not equals:
            if index + 1 >= len(words):
                return GitCommand(command, "", (), tuple(config), tuple(directories))
            value = words[index + 1].value
            index += 1
        elif text.startswith(("-C", "-c")) and len(text) > 2:
            name, value = text[:2], text[2:]
        if name == "-c":
            config.append(_config_pair(value))
        elif name == "-C":
            directories.append(value)
        index += 1
    if index >= len(words) or not words[index].static:
        return GitCommand(command, "", words[index:], tuple(config), tuple(directories))
    subcommand, args = _expand_alias(words[index].value, words[index + 1 :], config)
    return GitCommand(command, subcommand, args, tuple(config), tuple(directories))


def _expand_alias(
    subcommand: str, args: tuple[Word, ...], config: list[tuple[str, str]]
) -> tuple[str, tuple[Word, ...]]:
    aliases = {key[6:]: value for key, value in config if key.startswith("alias.")}
    if not aliases:
        return subcommand, args
    for _ in range(_ALIAS_DEPTH):
        expansion = aliases.pop(subcommand, None)
        if expansion is None or expansion.lstrip().startswith("!"):
            break
        try:
            parts = shlex.split(expansion)
        except ValueError:
            break
        if not parts:
            break
        subcommand = parts[0]
        args = tuple(Word(part, shlex.quote(part)) for part in parts[1:]) + args
    return subcommand, args


@once_per_analysis  # every git rule reads the same analysis in turn
def git_commands(analysis: Analysis) -> tuple[GitCommand, ...]:
    """Every git invocation in the analysis, in order."""
    return tuple(
        parsed
        for parsed in (
            git_command(command)
            for command in analysis.commands
            if command.name == "git" or command.name.startswith("git-")
        )
        if parsed is not None
    )
