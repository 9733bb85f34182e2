"""Read pip requirements files and judge every requirement they install.

``pip install -r requirements.txt`` is as pinned as its least pinned line. Lines are split
the way pip splits them (``pip_requirements_parser``: continuation lines, comments,
per-line ``--hash`` options); nested ``-r``/``--requirement`` files are followed relative to
the file that names them, to a bounded depth; ``-c``/``--constraint`` files pin the names
they pin; ``--require-hashes`` (or a ``--hash`` on a line) locks the line. A file that
cannot be read is a problem, never a pass: fail closed.

``judge_requirement_text`` is the entry point for file scanners (a requirements file
changed in a pull request); the unpinned-install rule uses ``read_requirements``.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass

from agentgov.evaluators.rules.supply_chain.pin_forms import LOCKED, Requested, describe
from agentgov.evaluators.rules.supply_chain.pip_specs import judge_pip_spec
from agentgov.policy.model import Strictness

ReadText = Callable[[str], "str | None"]
MAX_DEPTH = 8


@dataclass(frozen=True)
class RequirementLine:
    """One requirement of a requirements file, judged; ``constraint`` marks lines of a
    constraints file (they pin, they do not install)."""

    path: str
    line: int
    requested: Requested
    constraint: bool = False


@dataclass(frozen=True)
class RequirementSet:
    """Everything a set of requirements files asks for.

    ``require_hashes`` is true when any file turns on hash-checking mode; ``problems`` are
    files that could not be read or lines pip would reject, as messages.
    """

    lines: tuple[RequirementLine, ...] = ()
    require_hashes: bool = False
    problems: tuple[str, ...] = ()

    def installs(self) -> tuple[RequirementLine, ...]:
        return tuple(line for line in self.lines if not line.constraint)

    def effective_pin(self, line: RequirementLine) -> Strictness:
        """A line's pin, raised by hash-checking mode and by a constraint on its name."""
        if self.require_hashes:
            return LOCKED
        wanted = _canonical(line.requested.name)
        pins = [line.requested.pin]
        pins.extend(
            other.requested.pin
            for other in self.lines
            if other.constraint and _canonical(other.requested.name) == wanted
        )
        return max(pins, key=lambda pin: pin.rank)


@dataclass(frozen=True)
class Finding:
    """A requirement that falls short of the policy, for annotations at ``path:line``."""

    path: str
    line: int
    requirement: str
    pin: Strictness
    message: str
    pinned_form: str


def _canonical(name: str) -> str:
    return "-".join(name.lower().replace("_", "-").replace(".", "-").split("-"))


class _Reader:
    def __init__(self, read_text: ReadText) -> None:
        self.read_text = read_text
        self.lines: list[RequirementLine] = []
        self.problems: list[str] = []
        self.require_hashes = False
        self.seen: set[str] = set()

    def file(self, path: str, shown: str, *, constraint: bool, depth: int) -> None:
        if path in self.seen:
            return
        self.seen.add(path)
        if depth > MAX_DEPTH:
            self.problems.append(f"{shown} nests -r files deeper than {MAX_DEPTH} levels")
            return
        text = None if "://" in path else self.read_text(path)
        if text is None:
            self.problems.append(f"cannot read {shown} to check its pins")
            return
        self.text(text, path, constraint=constraint, depth=depth)

    def text(self, text: str, path: str, *, constraint: bool, depth: int) -> None:
        # Deferred: pip_requirements_parser imports a large part of pip's option machinery.
        from pip_requirements_parser import TextLine, get_line_parser, preprocess

        parse_line = get_line_parser()
        directory = posixpath.dirname(path)
        for numbered in preprocess(text):
            if not isinstance(numbered, TextLine):
                continue
            try:
                requirement, options, _ = parse_line(numbered.line)
            except Exception:  # noqa: BLE001 - pip's optparse raises anything; fail closed
                self.problems.append(f"{path}:{numbered.line_number}: pip cannot parse this line")
                continue
            self.require_hashes = self.require_hashes or bool(options.require_hashes)
            for nested in options.requirements or ():
                self.file(_join(directory, nested), nested, constraint=constraint, depth=depth + 1)
            for nested in options.constraints or ():
                self.file(_join(directory, nested), nested, constraint=True, depth=depth + 1)
            for editable in options.editables or ():
                requested = judge_pip_spec(editable, editable=True)
                self.lines.append(
                    RequirementLine(path, numbered.line_number, requested, constraint)
                )
            if requirement:
                requested = judge_pip_spec(requirement, hashed=bool(options.hashes))
                self.lines.append(
                    RequirementLine(path, numbered.line_number, requested, constraint)
                )


def _join(directory: str, path: str) -> str:
    if "://" in path or path.startswith("/"):
        return path
    return posixpath.normpath(posixpath.join(directory, path)) if directory else path


def read_requirements(
    files: tuple[tuple[str, str], ...],
    constraints: tuple[tuple[str, str], ...],
    read_text: ReadText,
) -> RequirementSet:
    """Read ``files`` (requirements) and ``constraints`` (constraints files), each given as
    ``(path to read, path as the command wrote it)``, following nested ``-r`` and ``-c``."""
    reader = _Reader(read_text)
    for path, shown in files:
        reader.file(path, shown, constraint=False, depth=0)
    for path, shown in constraints:
        reader.file(path, shown, constraint=True, depth=0)
    return RequirementSet(tuple(reader.lines), reader.require_hashes, tuple(reader.problems))


def _no_files(path: str) -> str | None:
    return None


def judge_requirement_text(
    text: str,
    ecosystem: str,
    strictness: Strictness,
    *,
    path: str = "requirements.txt",
    read_text: ReadText = _no_files,
) -> tuple[Finding, ...]:
    """Every requirement in ``text`` (the content of ``path``) pinned less tightly than
    ``strictness`` requires, plus one finding per file or line that could not be checked
    (nested ``-r`` files are read with ``read_text``; without it they fail closed).
    ``ecosystem`` names the policy key in messages (``pip`` or ``uv``)."""
    if strictness.rank == 0:
        return ()
    reader = _Reader(read_text)
    reader.seen.add(path)
    reader.text(text, path, constraint=False, depth=0)
    found = RequirementSet(tuple(reader.lines), reader.require_hashes, tuple(reader.problems))
    findings = [Finding(path, 0, "", Strictness.ANY, problem, "") for problem in found.problems]
    for line in found.installs():
        pin = found.effective_pin(line)
        if pin.rank >= strictness.rank:
            continue
        form = line.requested.locked_form if strictness is LOCKED else line.requested.exact_form
        findings.append(
            Finding(
                line.path,
                line.line,
                line.requested.spec,
                pin,
                f"{line.requested.spec} is {describe(pin)}; the policy requires "
                f"{strictness.value} pins for {ecosystem}",
                form,
            )
        )
    return tuple(findings)
