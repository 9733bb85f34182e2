"""What can be judged: one frozen value per kind of action, built by adapters.

The engine takes a subject, the policy and a context, and returns a Decision. One shell
analysis serves every entry point: an agent's Bash call, a git hook, a Dockerfile RUN line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from agentgov.policy.model import ActionClass, Level


def _no_files(path: str) -> str | None:
    return None


@dataclass(frozen=True)
class ShellCommand:
    """A shell command string, as the agent or a file wrote it."""

    command: str


@dataclass(frozen=True)
class Context:
    """Where and for whom an action is judged.

    ``level`` and ``task_class`` are already resolved (kill switch applied) by the caller;
    ``env`` holds the environment variables that may mark production; ``read_text`` is the
    one I/O a rule may ask for (reading a requirements file named by ``pip install -r``).
    ``project_root`` is the cwd's repository or, from a cwd outside any, that of the files
    the action touches; ``repositories`` holds the root of every repository the action
    touches (the project's first), whose guard files are all guarded.
    """

    level: Level
    task_class: str
    cwd: str
    home: str
    project_root: str | None = None
    branch: str | None = None
    env: tuple[tuple[str, str], ...] = ()
    read_text: Callable[[str], str | None] = field(default=_no_files, compare=False)
    repositories: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileEdit:
    """A tool writes these files. ``paths`` as given (absolute); ``real_paths`` the same
    after the adapter resolved symlinks, so a link into a guarded directory is caught."""

    paths: tuple[str, ...]
    real_paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileRead:
    """A tool reads these paths or globs into the agent's context."""

    paths: tuple[str, ...]
    globs: tuple[str, ...] = ()
    real_paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class FixedAction:
    """An action whose class is known up front (web access, planning, a named MCP tool)."""

    tool: str
    action_class: ActionClass
    why: str
    text: str = ""


Subject = ShellCommand | FileEdit | FileRead | FixedAction
