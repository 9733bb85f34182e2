"""The one exception hierarchy and the documented exit-code table.

Every command maps exceptions to exit codes in one place (``cli.main`` and the hook
adapters), so a denied action and a crash never share a code:

====  ==========================================================
code  meaning
====  ==========================================================
0     ok: allowed, valid, nothing found
1     a violation or a denial (the guard said no; findings exist)
2     a usage error or a policy error (what to fix is printed)
3     an internal error (a bug in agentgov; please report it)
====  ==========================================================
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    VIOLATION = 1
    USAGE = 2
    INTERNAL = 3


class AgentgovError(Exception):
    """Base of every error agentgov expects; its message says what to fix."""

    exit_code: ExitCode = ExitCode.USAGE


class UsageError(AgentgovError):
    """The command line or an input file is not usable as given."""


class PolicyError(AgentgovError):
    """A policy file failed to load or validate.

    ``problems`` holds one ``file:line:col: key.path: message`` line per problem.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(problems))


class GitError(AgentgovError):
    """A git operation failed in a way the user can act on."""


class NotesConflictError(AgentgovError):
    """A notes ref kept moving (or stayed locked) through every compare-and-swap attempt."""
