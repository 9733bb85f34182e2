"""Build the engine's Context from the machine: cwd, repository, branch, environment.

Adapters (CLI, hooks) call this; the engine never looks at the machine itself. The level
comes from the task class the work belongs to, lowered to 1 when the kill switch is engaged.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from agentgov.git_layout import current_branch, find_repo
from agentgov.policy.model import Level, Policy
from agentgov.policy.task_class import choose_task_class
from agentgov.subjects import Context

MAX_READ_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Placement:
    """Where the work stands: its context, and why it got its task class and level."""

    context: Context
    because: str


def read_text_file(path: str) -> str | None:
    """Read a file a rule asked for (``pip install -r FILE``), capped at 1 MiB."""
    try:
        with Path(path).open("rb") as handle:
            return handle.read(MAX_READ_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None


def _repo_relative(paths: Sequence[str], cwd: Path, root: Path) -> tuple[str, ...]:
    """Paths as the policy's path globs see them: relative to the repository root."""
    relative = []
    for path in paths:
        absolute = Path(os.path.normpath(cwd.resolve() / path))
        relative.append(str(absolute.relative_to(root)) if absolute.is_relative_to(root) else path)
    return tuple(relative)


def place(
    policy: Policy,
    cwd: Path,
    *,
    environ: Mapping[str, str] | None = None,
    level: Level | None = None,
    task_class: str | None = None,
    paths: Sequence[str] = (),
) -> Placement:
    """The context for work in ``cwd``; ``paths`` (absolute, or relative to ``cwd``) are the
    files the work touches, which choose the task class."""
    env = dict(os.environ if environ is None else environ)
    layout = find_repo(cwd)
    branch = current_branch(layout) if layout else None
    explicit = task_class or env.get("AGENTGOV_TASK_CLASS")
    in_repo = _repo_relative(paths, cwd, layout.root) if layout else tuple(paths)
    choice = choose_task_class(policy, explicit=explicit, branch=branch, paths=in_repo)
    chosen_level = level or choice.task_class.level
    because = choice.because
    if level is not None:
        because += f"; level {level.value} given on the command line"
    if policy.kill_switch.engaged:
        chosen_level = Level.SUGGEST
        because += f"; kill switch engaged ({policy.kill_switch.reason or 'no reason given'})"
    home = env.get("HOME") or str(Path.home())
    context = Context(
        level=chosen_level,
        task_class=choice.task_class.name,
        cwd=str(cwd.resolve()),
        home=home,
        project_root=str(layout.root) if layout else None,
        branch=branch,
        env=tuple(sorted(env.items())),
        read_text=read_text_file,
    )
    return Placement(context, because)
