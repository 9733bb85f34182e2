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
  ``git-push`` included), ``git <word>`` for every word of the command line (so that a
  rule that finds the subcommand its own way is covered too) and ``git -c`` for
  configuration given on the line: a dozen rules judge git, and ``git status`` concerns
  none of them;
- for python, ``python -m <module>`` for every ``-m`` it is given;
- ``INLINE_CODE`` when an interpreter is given code on its command line (``python -c``,
  ``node -e``, ``perl -e``, ``php -r``...);
- ``READS`` when some command has an input redirect, heredoc or here-string;
- ``WRITES`` when some command has an output redirect;
- ``ENVIRONMENT`` when some command sets or unsets variables for itself (``X=1 cmd``,
  ``env -u X cmd``).

A rule whose trigger list misses a spelling would silently never run on it, so
``tests/rules/ruletest.py`` checks, for every case of every rule's table, that the triggers
admit each analysis the rule hits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from agentgov.evaluators.rules.invocation import LAUNCHERS, invocations, tool_name
from agentgov.evaluators.shell.model import Analysis, SimpleCommand

if TYPE_CHECKING:
    from agentgov.evaluators.rules.git.git_args import GitCommand

READS = "<"
WRITES = ">"
ENVIRONMENT = "="
INLINE_CODE = "-c"

# Interpreters (by name without a trailing version) and the options that give them code.
_INTERPRETERS = frozenset(
    {"python", "pypy", "node", "nodejs", "deno", "bun", "ruby", "perl", "php"}
)
_CODE_OPTIONS = frozenset({"-c", "-e", "-E", "-r", "-p", "--eval", "--print", "-Command"})

_VERSION_CHARACTERS = "0123456789."
_FAMILIES = (("git-", "git"), ("mkfs", "mkfs"), ("python", "python"), ("pypy", "python"))
_FAMILY_PREFIXES = tuple(prefix for prefix, _ in _FAMILIES)


# What a command's program needs read besides its spellings.
_GIT, _INTERPRETER, _PYTHON, _LAUNCHER = 1, 2, 4, 8


@lru_cache(maxsize=1024)
def _spellings(name: str, argv0: str) -> tuple[tuple[str, ...], int]:
    """The spellings of a command's program, and what else to read (the bits above)."""
    tool = tool_name(name or argv0)
    found: set[str] = set()
    for spelling in (name, tool):
        lower = spelling.lower()
        found.update((spelling, lower, lower.rstrip(_VERSION_CHARACTERS)))
        if lower.startswith(_FAMILY_PREFIXES):
            found.update(family for prefix, family in _FAMILIES if lower.startswith(prefix))
    lower = name.lower()
    more = _GIT if tool == "git" or name.startswith("git-") else 0
    if lower.rstrip(_VERSION_CHARACTERS) in _INTERPRETERS:
        more |= _INTERPRETER | (_PYTHON if lower.startswith(("python", "pypy")) else 0)
    if tool in LAUNCHERS:
        more |= _LAUNCHER
    return tuple(found), more


def program_names(analysis: Analysis) -> set[str]:
    """Every program name (in every spelling above) and mark in the analysis."""
    found: set[str] = set()
    for command in analysis.commands:
        spellings, more = _spellings(command.name, command.argv[0].value if command.argv else "")
        found.update(spellings)
        _add_more(found, command, more)
    return found


def admitted_bits(
    analysis: Analysis,
    bits: Mapping[str, int],
    memo: dict[tuple[str, str], tuple[int, int]],
) -> int:
    """``bits[name]`` or-ed over every name ``program_names(analysis)`` holds: what the
    engine runs. A program's spellings are looked up once per policy (``memo``), so an
    everyday command costs one lookup; the rest of ``program_names`` (git words, marks)
    only where a command has any."""
    admitted = 0
    for command in analysis.commands:
        key = (command.name, command.argv[0].value if command.argv else "")
        known = memo.get(key)
        if known is None:
            spellings, more = _spellings(*key)
            own = 0
            for spelling in spellings:
                own |= bits.get(spelling, 0)
            known = (own, more)
            if len(memo) < _MEMO_LIMIT:
                memo[key] = known
        admitted |= known[0]
        if known[1] or command.redirects or command.assignments or command.unsets:
            extra: set[str] = set()
            _add_more(extra, command, known[1])
            for name in extra:
                admitted |= bits.get(name, 0)
    return admitted


_MEMO_LIMIT = 4096


def _add_more(found: set[str], command: SimpleCommand, more: int) -> None:
    """The names besides the program's own spellings: git words, ``python -m``, inline
    code, launched tools, redirect and environment marks."""
    if more:
        if more & _INTERPRETER:
            _add_interpreter(found, command, python=bool(more & _PYTHON))
        if more & _GIT:
            _add_git(found, command)
        if more & _LAUNCHER:
            for invocation in invocations(command)[1:]:
                found.update(_spellings(invocation.tool, "")[0])
                if invocation.tool == "git":
                    found.update(["git " + word.value for word in invocation.args])
    for redirect in command.redirects:
        if "<" in redirect.op:
            found.add(READS)
        if ">" in redirect.op:
            found.add(WRITES)
    if command.assignments or command.unsets:
        found.add(ENVIRONMENT)


def _add_interpreter(found: set[str], command: SimpleCommand, *, python: bool) -> None:
    previous = ""
    for word in command.args:
        value = word.value
        if value in _CODE_OPTIONS:
            found.add(INLINE_CODE)
        if python and previous == "-m":
            found.add("python -m " + value)
        elif python and value.startswith("-m") and len(value) > 2:
            found.add("python -m " + value[2:])
        previous = value


@cache
def _git_reader() -> Callable[[SimpleCommand], GitCommand | None]:
    # Imported on first use: only commands with git need it.
    from agentgov.evaluators.rules.git.git_args import git_command

    return git_command


def _add_git(found: set[str], command: SimpleCommand) -> None:
    aliases = command.name.startswith("git-") or bool(command.assignments)
    for word in command.args:
        value = word.value
        found.add("git " + value)
        if value.startswith("-c"):
            found.add("git -c")  # ``-ckey=value`` as well as ``-c key=value``
            aliases = aliases or "alias." in value
        elif not aliases and "alias." in value:
            aliases = True
    # Without an alias defined on the line (``-c alias.p=push``, ``GIT_CONFIG_*``) the
    # subcommand is one of the words just added; only git's own reading finds an alias's.
    if aliases:
        git = _git_reader()(command)
        if git is not None:
            found.add("git " + git.subcommand)


def admits(triggers: frozenset[str] | None, names: AbstractSet[str]) -> bool:
    """Whether a rule with these triggers (None: any command) can hit an analysis whose
    ``program_names`` are ``names``."""
    return triggers is None or not triggers.isdisjoint(names)
