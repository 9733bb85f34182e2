"""What in an analysis can set a rule off, read before any rule module is imported.

Most commands concern few rules: ``git status`` can only ever trigger the git rules and the
rules that watch every command. So each registry entry names its rule's *triggers*, the
words without which the rule cannot hit, and the engine runs (and imports) a rule only
when ``program_names(analysis)`` holds one of them. The words are:

- program names, in several spellings so that a rule's own test of the name is always
  covered: the name as written (``pip3.11``, ``Invoke-WebRequest``), lowercased, without a
  trailing version (``pip``, ``ruby``), as ``invocation.tool_name`` reads it
  (``terraform.exe`` -> ``terraform``, ``vercel@latest`` -> ``vercel``, ``python3`` ->
  ``python``), the family of ``git-push`` (``git``), ``mkfs.ext4`` (``mkfs``) and
  ``pythonw`` (``python``), and every tool a project launcher starts (``bundle exec rake``,
  ``npx prisma``, ``kubectl exec pod -- psql``: see ``invocation.invocations``);
- for git, ``git <subcommand>`` as ``git_args.git_command`` reads it (aliases expanded,
  ``git-push`` included) and ``git <word>`` for every word of the command line, so that a
  rule that finds the subcommand its own way is covered too: eleven rules judge git, and
  ``git status`` concerns none of those that need ``git push``;
- ``READS`` when some command has an input redirect, heredoc or here-string;
- ``WRITES`` when some command has an output redirect;
- ``ENVIRONMENT`` when some command sets or unsets variables for itself (``X=1 cmd``,
  ``env -u X cmd``).

A rule whose trigger list misses a spelling would silently never run on it, so
``tests/rules/ruletest.py`` checks, for every case of every rule's table, that the triggers
admit each analysis the rule hits.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from agentgov.evaluators.rules.invocation import LAUNCHERS, invocations, tool_name
from agentgov.evaluators.shell.model import Analysis, SimpleCommand

if TYPE_CHECKING:
    from agentgov.evaluators.rules.git.git_args import GitCommand

READS = "<"
WRITES = ">"
ENVIRONMENT = "="

_VERSION_CHARACTERS = "0123456789."
_FAMILIES = (("git-", "git"), ("mkfs", "mkfs"), ("python", "python"), ("pypy", "python"))
_FAMILY_PREFIXES = tuple(prefix for prefix, _ in _FAMILIES)


@lru_cache(maxsize=1024)
def _spellings(name: str, argv0: str) -> tuple[tuple[str, ...], str]:
    """The spellings of a command's program, and its ``tool_name`` (for the launchers)."""
    tool = tool_name(name or argv0)
    found: set[str] = set()
    for spelling in (name, tool):
        lower = spelling.lower()
        found.update((spelling, lower, lower.rstrip(_VERSION_CHARACTERS)))
        if lower.startswith(_FAMILY_PREFIXES):
            found.update(family for prefix, family in _FAMILIES if lower.startswith(prefix))
    return tuple(found), tool


def program_names(analysis: Analysis) -> frozenset[str]:
    """Every program name (in every spelling above) and mark in the analysis."""
    found: set[str] = set()
    for command in analysis.commands:
        name = command.name
        if not command.argv:
            found.update(_spellings(name, "")[0])
            continue
        spellings, tool = _spellings(name, command.argv[0].value)
        found.update(spellings)
        if tool == "git" or name.startswith("git-"):
            _add_git(found, command)
        if tool in LAUNCHERS:
            for invocation in invocations(command)[1:]:
                found.update(_spellings(invocation.tool, "")[0])
                if invocation.tool == "git":
                    found.update("git " + word.value for word in invocation.args)
        for redirect in command.redirects:
            if "<" in redirect.op:
                found.add(READS)
            if ">" in redirect.op:
                found.add(WRITES)
        if command.assignments or command.unsets:
            found.add(ENVIRONMENT)
    return frozenset(found)


@cache
def _git_reader() -> Callable[[SimpleCommand], GitCommand | None]:
    # Imported on first use: only commands with git need it.
    from agentgov.evaluators.rules.git.git_args import git_command

    return git_command


def _add_git(found: set[str], command: SimpleCommand) -> None:
    found.update("git " + word.value for word in command.args)
    # Without an alias defined on the line (``-c alias.p=push``, ``GIT_CONFIG_*``) the
    # subcommand is one of the words just added; only git's own reading finds an alias's.
    if (
        command.name.startswith("git-")
        or command.assignments
        or any("alias." in word.value for word in command.args)
    ):
        git = _git_reader()(command)
        if git is not None:
            found.add("git " + git.subcommand)


def admits(triggers: frozenset[str] | None, names: frozenset[str]) -> bool:
    """Whether a rule with these triggers (None: any command) can hit an analysis whose
    ``program_names`` are ``names``."""
    return triggers is None or not triggers.isdisjoint(names)
