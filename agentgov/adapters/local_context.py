"""Build the engine's Context from the machine: cwd, repositories, branch, environment.

Adapters (CLI, hooks) call this; the engine never looks at the machine itself. The work is
placed relative to the repository of what it touches, not to the cwd it starts from
(docs/policy.md, "Task classes"): ``locate`` finds the repository of the cwd and of every
path the work touches or writes, the project is the cwd's repository or, from a cwd
outside any, the first touched path's, and the guard's files of every one of them are
guarded. The level comes from the task class the work belongs to, as
``effective_level`` says (an open incident's reset, level 4 without a sandbox, the kill
switch from any source).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from agentgov.adapters.effective_level import EffectiveLevel, effective_level
from agentgov.evaluators.shell.model import Analysis
from agentgov.git_layout import RepoLayout, current_branch, find_repo
from agentgov.policy.model import Level, Policy
from agentgov.policy.task_class import choose_task_class
from agentgov.subjects import Context

MAX_READ_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Placement:
    """Where the work stands: its context, and why it got its task class and level
    (``effective``: the configured level and every cause that lowered it)."""

    context: Context
    because: str
    effective: EffectiveLevel | None = None


@dataclass(frozen=True)
class Location:
    """The repositories the work concerns.

    - ``cwd``: where it starts (absolute, symlinks resolved).
    - ``project``: the cwd's repository or, when the cwd is in none, the repository of the
      first touched path that is in one; None when nothing is in a repository.
    - ``touched``: each touched path, absolute (a tree write keeps its trailing ``/``),
      with the root of the repository holding it (None outside any).
    """

    cwd: Path
    project: RepoLayout | None
    touched: tuple[tuple[str, str | None], ...] = ()

    @property
    def policy_start(self) -> Path:
        """Where the policy in force is looked up: the project, else the cwd."""
        return self.project.root if self.project is not None else self.cwd

    @property
    def repositories(self) -> tuple[str, ...]:
        """Every repository root the work touches, the project's first."""
        roots = [str(self.project.root)] if self.project is not None else []
        roots.extend(root for _, root in self.touched if root is not None)
        return tuple(dict.fromkeys(roots))


@dataclass(frozen=True)
class ShellWork:
    """A shell command's analysis (to hand to the engine, which need not analyse it again)
    and the paths it writes, which choose its task class."""

    analysis: Analysis
    paths: tuple[str, ...]


def read_text_file(path: str) -> str | None:
    """Read a file a rule asked for (``pip install -r FILE``), capped at 1 MiB."""
    try:
        with Path(path).open("rb") as handle:
            return handle.read(MAX_READ_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None


def home_directory(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return env.get("HOME") or str(Path.home())


def shell_work(command: str, cwd: Path, environ: Mapping[str, str] | None = None) -> ShellWork:
    """Analyse ``command`` as it runs in ``cwd`` (the analysis the engine judges) and read
    the paths it writes."""
    # Imported here: only shell commands need the analyser.
    from agentgov.evaluators.shell.analyze import analyze
    from agentgov.evaluators.written_paths import written_paths

    home = home_directory(environ)
    analysis = analyze(command, cwd=str(cwd.resolve()), home=home)
    return ShellWork(analysis, written_paths(analysis, home))


def locate(cwd: Path, paths: Sequence[str] = ()) -> Location:
    """The repositories of ``cwd`` and of each path (absolute, or relative to ``cwd``)."""
    start = cwd.resolve()
    layout = find_repo(start)
    finder = _RepoFinder(layout)
    touched: list[tuple[str, str | None]] = []
    project = layout
    for path in paths:
        absolute = _absolute(path, start)
        found = finder.repo_of(absolute.rstrip("/") or "/")
        if project is None and found is not None:
            project = found
        touched.append((absolute, str(found.root) if found else None))
    return Location(start, project, tuple(touched))


def _absolute(path: str, cwd: Path) -> str:
    if path.startswith("~"):
        path = os.path.expanduser(path)
    absolute = os.path.normpath(os.path.join(cwd, path))
    return absolute + "/" if path.endswith("/") and absolute != "/" else absolute


class _RepoFinder:
    """The repository holding a path (which may not exist yet), with one ``.git`` test per
    directory however many paths share it: a command can name thousands of files.
    ``known`` (the cwd's repository, already found) is not looked up again."""

    def __init__(self, known: RepoLayout | None = None) -> None:
        self._known: dict[str, RepoLayout | None] = {}
        if known is not None:
            self._known[str(known.root)] = known

    def repo_of(self, path: str) -> RepoLayout | None:
        if os.environ.get("GIT_DIR") and not os.environ.get("AGENTGOV_IGNORE_GIT_DIR"):
            return find_repo(Path(path))
        walked: list[str] = []
        current = path
        found: RepoLayout | None = None
        while True:
            if current in self._known:
                found = self._known[current]
                break
            walked.append(current)
            if os.path.lexists(os.path.join(current, ".git")):
                found = find_repo(Path(current))
                break
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
        for directory in walked:
            self._known[directory] = found
        return found


def _repo_relative(location: Location) -> tuple[str, ...]:
    """Touched paths as the policy's path globs see them: relative to the root of the
    repository that holds each, and also where a symlink leads (``echo x >> link`` writes
    what ``link`` points at); outside any repository, relative to the cwd when beneath it
    (``/tmp/Dockerfile.new`` written from a project is no infrastructure of it)."""
    relative: list[str] = []
    directories: dict[str, str] = {}
    for absolute, root in location.touched:
        tree = absolute.endswith("/")
        path = absolute.rstrip("/") or "/"
        base = root if root is not None else str(location.cwd)
        folder, _, name = path.rpartition("/")
        if folder not in directories:
            directories[folder] = os.path.realpath(folder or "/")
        real = os.path.realpath(path) if os.path.islink(path) else f"{directories[folder]}/{name}"
        prefix = base.rstrip("/") + "/"
        for candidate in (path, real) if real != path else (path,):
            if candidate == base:
                relative.append(".")
            elif candidate.startswith(prefix):
                inside = candidate[len(prefix) :]
                relative.append(inside + "/" if tree else inside)
    return tuple(dict.fromkeys(relative))


def place(
    policy: Policy,
    cwd: Path,
    *,
    environ: Mapping[str, str] | None = None,
    level: Level | None = None,
    task_class: str | None = None,
    paths: Sequence[str] = (),
    location: Location | None = None,
    partial: bool = False,
) -> Placement:
    """The context for work in ``cwd``; ``paths`` (absolute, or relative to ``cwd``) are the
    files the work touches, which choose the task class (``location``, when given, is
    ``locate(cwd, paths)``, already done to find the policy). ``partial`` says the paths are
    only some of what the work does (the writes of a shell command, which may also reach
    the network): they can then make the class stricter than ``default``, never looser."""
    env = dict(os.environ if environ is None else environ)
    where = location if location is not None else locate(cwd, paths)
    layout = where.project
    branch = current_branch(layout) if layout else None
    explicit = task_class or env.get("AGENTGOV_TASK_CLASS")
    choice = choose_task_class(
        policy, explicit=explicit, branch=branch, paths=_repo_relative(where), partial=partial
    )
    because = choice.because
    if level is not None:
        because += f"; level {level.value} given on the command line"
    effective = effective_level(
        policy,
        choice.task_class.name,
        level or choice.task_class.level,
        layout,
        env,
        home=home_directory(env),
    )
    if effective.causes:
        because += f"; {effective.because}"
    context = Context(
        level=effective.level,
        task_class=choice.task_class.name,
        cwd=str(where.cwd),
        home=home_directory(env),
        project_root=str(layout.root) if layout else None,
        branch=branch,
        env=tuple(sorted(env.items())),
        read_text=read_text_file,
        repositories=where.repositories,
    )
    return Placement(context, because, effective)
