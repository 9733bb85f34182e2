"""Read a pip install: ``pip``/``pip3``/``pip3.12``, ``python -m pip``, ``uv pip install`` and
``uv pip sync``.

Requirements come from operands, ``-e`` values and ``-r`` files (read with
``ctx.read_text``, resolved against the command's cwd); ``-c`` files and
``--require-hashes`` raise their pins; ``--upgrade-package NAME`` (uv) asks for the newest
NAME. ``pip download``, ``pip show``, ``pip list`` and ``pip uninstall`` install nothing.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

from agentgov.evaluators.rules.cli_options import OptionSpec, parse_options
from agentgov.evaluators.rules.path_words import resolve
from agentgov.evaluators.rules.supply_chain.pin_forms import LOCKED, Install, Requested, spec_texts
from agentgov.evaluators.rules.supply_chain.pip_specs import judge_pip_spec
from agentgov.evaluators.rules.supply_chain.requirements_files import (
    RequirementLine,
    RequirementSet,
    read_requirements,
)
from agentgov.evaluators.shell.model import Word

if TYPE_CHECKING:
    from agentgov.evaluators.rules.base import ShellContext
    from agentgov.evaluators.shell.model import SimpleCommand
    from agentgov.policy.model import Strictness

PYTHON = re.compile(r"(?:python|pypy)(?:[0-9]+(?:\.[0-9]+)*)?")
PIP = re.compile(r"pip(?:[0-9]+(?:\.[0-9]+)*)?")
_PYTHON_VALUE_OPTIONS = frozenset({"-W", "-X", "-Q"})
_GLOBAL_VALUE_OPTIONS = frozenset(
    {
        *("--python", "--proxy", "--log", "--log-file", "--cache-dir", "--timeout"),
        *("--retries", "--exists-action", "--trusted-host", "--cert", "--client-cert"),
        *("--keyring-provider", "--use-feature", "--use-deprecated", "--directory"),
        *("--config-file", "--color", "--cache-dir", "--project"),
    }
)
_INSTALL = OptionSpec(
    short_value="rceitfCpP",
    long_value=frozenset(
        {
            *("requirement", "constraint", "editable", "target", "prefix", "root"),
            *("index-url", "extra-index-url", "find-links", "platform", "python-version"),
            *("implementation", "abi", "src", "upgrade-strategy", "install-option"),
            *("global-option", "config-settings", "config-setting", "no-binary"),
            *("only-binary", "progress-bar", "report", "root-user-action", "python"),
            *("proxy", "cache-dir", "log", "timeout", "retries", "trusted-host", "cert"),
            *("client-cert", "exists-action", "use-feature", "keyring-provider", "group"),
            *("override", "overrides", "index", "default-index", "index-strategy"),
            *("resolution", "prerelease", "upgrade-package", "reinstall-package"),
            *("python-platform", "exclude-newer", "link-mode", "extra", "torch-backend"),
            *("build-constraint", "build-constraints", "no-build-package"),
        }
    ),
)
PIP_LOOKUP = "take <version> from your lockfile, or list them with pip index versions NAME"


def pip_words(command: SimpleCommand) -> tuple[str, str, tuple[Word, ...]] | None:
    """``(ecosystem, how the command calls pip, the words after pip)`` when ``command``
    runs pip (``pip``, ``python3 -m pip``, ``uv pip``), else None."""
    name = command.name
    if PIP.fullmatch(name):
        return "pip", name, command.args
    if name == "uv" and command.values()[:1] == ("pip",):
        return "uv", "uv pip", command.args[1:]
    if not PYTHON.fullmatch(name):
        return None
    args = command.args
    index = 0
    while index < len(args):
        text = args[index].value
        if text == "-m" and index + 1 < len(args):
            module = args[index + 1].value
            return ("pip", f"{name} -m pip", args[index + 2 :]) if module == "pip" else None
        if text.startswith("-m"):
            return ("pip", f"{name} -m pip", args[index + 1 :]) if text == "-mpip" else None
        if not text.startswith("-") or text == "-" or text.startswith("-c"):
            return None
        index += 2 if text in _PYTHON_VALUE_OPTIONS else 1
    return None


def subcommand(words: tuple[Word, ...], value_options: frozenset[str]) -> int | None:
    """The index of the first operand after global options, or None."""
    index = 0
    while index < len(words):
        text = words[index].value
        if not text.startswith("-") or text == "-":
            return index
        index += 2 if text in value_options else 1
    return None


def _read(
    words: tuple[str, ...], command: SimpleCommand, ctx: ShellContext
) -> tuple[tuple[str, str], ...]:
    """(path to read, path as written) for each file word; unresolvable paths keep the word
    itself, which ``read_text`` will not find (fail closed)."""
    found: list[tuple[str, str]] = []
    for text in words:
        path = resolve(Word(text, text), command.cwd, ctx.home)
        found.append((path or text, text))
    return tuple(found)


def _shown(requested: Requested, line: RequirementLine, cwd: str | None) -> Requested:
    path = line.path
    if cwd and path.startswith(cwd.rstrip("/") + "/"):
        path = path[len(cwd.rstrip("/")) + 1 :]
    return dataclasses.replace(requested, spec=f"{requested.spec} ({path}:{line.line})")


_NO_FILES = RequirementSet()


def _with_pin(requested: Requested, pin: Strictness) -> Requested:
    return requested if pin is requested.pin else dataclasses.replace(requested, pin=pin)


def pip_install(command: SimpleCommand, ctx: ShellContext) -> Install | None:
    """What a pip (or ``uv pip``) install asks for, or None when it installs nothing."""
    found = pip_words(command)
    if found is None:
        return None
    ecosystem, caller, words = found
    start = subcommand(words, _GLOBAL_VALUE_OPTIONS)
    if start is None:
        return None
    verb = words[start].value
    if verb not in ("install", "sync") or (verb == "sync" and ecosystem != "uv"):
        return None
    parsed = parse_options(words[start + 1 :], _INSTALL)
    operands = spec_texts(parsed.operands)
    files = parsed.values("-r", "--requirement") + (operands if verb == "sync" else ())
    specs = () if verb == "sync" else operands
    constraints = parsed.values("-c", "--constraint")
    files_set = (
        read_requirements(
            _read(files, command, ctx), _read(constraints, command, ctx), ctx.read_text
        )
        if files or constraints
        else _NO_FILES
    )
    require_hashes = parsed.has("--require-hashes") or files_set.require_hashes
    judged = RequirementSet(files_set.lines, require_hashes, files_set.problems)
    local_only = parsed.has("--no-index") and all(
        not _is_url(value) for value in parsed.values("-f", "--find-links")
    )
    requested = [judge_pip_spec(spec) for spec in specs]
    requested.extend(
        judge_pip_spec(spec, editable=True) for spec in parsed.values("-e", "--editable")
    )
    requested.extend(judge_pip_spec(name) for name in parsed.values("-P", "--upgrade-package"))
    if judged.require_hashes or judged.lines:  # else no pin can rise
        requested = [
            _with_pin(one, judged.effective_pin(RequirementLine("", 0, one))) for one in requested
        ]
    requested.extend(
        _shown(
            dataclasses.replace(line.requested, pin=judged.effective_pin(line)), line, command.cwd
        )
        for line in judged.installs()
    )
    if local_only:
        requested = [dataclasses.replace(one, pin=LOCKED) for one in requested]
    if not requested and not judged.problems:
        return None
    return Install(
        ecosystem=ecosystem,
        tool=f"{caller} install",
        requested=tuple(requested),
        problems=judged.problems,
        locked_how=(
            "list each as NAME==<version> --hash=sha256:<digest> in a requirements file "
            "(pip-compile --generate-hashes or uv pip compile --generate-hashes writes one) "
            f"and install it with {caller} install --require-hashes -r requirements.txt"
        ),
        lookup=PIP_LOOKUP,
    )


def _is_url(text: str) -> bool:
    return "://" in text and not text.startswith("file:")
