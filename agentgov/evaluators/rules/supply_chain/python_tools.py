"""Read the Python project and tool managers: ``uv add``, ``uv sync``, ``uv tool install``,
``uvx``/``uv tool run``, ``uv run --with``, ``pipx install|run|inject``, ``poetry add`` and
``pdm add``. (``pip`` and ``uv pip`` are ``pip_args``.)

Requirements use pip's syntax, judged by ``pip_specs``; ``uvx ruff@0.5.0`` is ``ruff==0.5.0``
and ``uvx ruff@latest`` unpinned; poetry's ``name@^1.2`` is a range and ``name@1.2.3`` exact.
``uv sync`` installs the lockfile (exact); with ``--locked`` or ``--frozen`` it cannot
change it (locked).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from agentgov.evaluators.rules.cli_options import OptionSpec, parse_options
from agentgov.evaluators.rules.path_words import resolve
from agentgov.evaluators.rules.supply_chain.npm_args import version_pin
from agentgov.evaluators.rules.supply_chain.pin_forms import (
    ANY,
    CONSTRAINED,
    EXACT,
    LOCKED,
    Install,
    Requested,
    is_commit,
    spec_texts,
)
from agentgov.evaluators.rules.supply_chain.pip_args import PIP_LOOKUP, subcommand
from agentgov.evaluators.rules.supply_chain.pip_specs import judge_pip_spec
from agentgov.evaluators.rules.supply_chain.requirements_files import read_requirements
from agentgov.evaluators.shell.model import Word

if TYPE_CHECKING:
    from agentgov.evaluators.rules.base import ShellContext
    from agentgov.evaluators.shell.model import SimpleCommand

_UV_GLOBAL = frozenset(
    {"--directory", "--project", "--config-file", "--cache-dir", "--color", "--python", "-p"}
)
_UV = OptionSpec(
    short_value="rcpmw",
    long_value=frozenset(
        {
            *("requirements", "constraints", "group", "optional", "extra", "branch", "tag"),
            *("rev", "python", "package", "index", "index-url", "extra-index-url"),
            *("default-index", "find-links", "marker", "script", "bounds", "directory"),
            *("project", "config-file", "cache-dir", "from", "with", "with-editable"),
            *("with-requirements", "env-file", "overrides", "build-constraints"),
            *("upgrade-package", "reinstall-package", "refresh-package", "no-install-package"),
        }
    ),
)
_PIPX = OptionSpec(
    long_value=frozenset(
        {"python", "pip-args", "index-url", "suffix", "spec", "preinstall", "backend"}
    ),
)
_POETRY = OptionSpec(
    short_value="GECP",
    long_value=frozenset(
        {"group", "extras", "python", "platform", "markers", "source", "directory", "project"}
    ),
)
_PDM = OptionSpec(short_value="GpL", long_value=frozenset({"group", "project", "lockfile"}))

_UV_LOCKED = "uv add NAME==<version>, then install from the lockfile with uv sync --locked"


def _until_operand(words: tuple[Word, ...], spec: OptionSpec) -> tuple[int, tuple[Word, ...]]:
    """The index of the first operand, parsing options the way ``spec`` says."""
    parsed = parse_options(words, spec)
    if not parsed.operands:
        return len(words), ()
    first = parsed.operands[0]
    index = next(i for i, word in enumerate(words) if word is first)
    return index, words[index:]


def _at_version(spec: str) -> str:
    """``ruff@0.5.0`` -> ``ruff==0.5.0``; ``ruff@latest`` -> ``ruff``."""
    if "@" not in spec or "://" in spec or spec.startswith(("@", ".", "/")):
        return spec
    name, _, version = spec.partition("@")
    return name if version in ("", "latest") else f"{name}=={version}"


def _requirement_files(
    words: tuple[str, ...], constraints: tuple[str, ...], command: SimpleCommand, ctx: ShellContext
) -> tuple[list[Requested], tuple[str, ...]]:
    def paths(texts: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        return tuple((resolve(Word(t, t), command.cwd, ctx.home) or t, t) for t in texts)

    found = read_requirements(paths(words), paths(constraints), ctx.read_text)
    requested = [
        Requested(
            line.requested.name,
            f"{line.requested.spec} ({line.path.rsplit('/', 1)[-1]}:{line.line})",
            found.effective_pin(line),
            line.requested.exact_form,
            line.requested.locked_form,
        )
        for line in found.installs()
    ]
    return requested, found.problems


def _git_ref_pin(requested: Requested, options: dict[str, tuple[str, ...]]) -> Requested:
    """``uv add git+URL --rev SHA``: the ref comes from an option."""
    if not (requested.spec.startswith("git+") or requested.spec.endswith(".git")):
        return requested
    if any(is_commit(ref) for ref in options["rev"]) or options["tag"]:
        return Requested(requested.name, requested.spec, EXACT, *_forms(requested))
    return requested


def _forms(requested: Requested) -> tuple[str, str]:
    return requested.exact_form, requested.locked_form


def _uv(command: SimpleCommand, ctx: ShellContext) -> Install | None:
    words = command.args
    start = subcommand(words, _UV_GLOBAL)
    if start is None:
        return None
    verb = words[start].value
    rest = words[start + 1 :]
    if verb == "tool" and rest:
        action = rest[0].value
        if action in ("run", "uvx"):
            return _uv_run_tool("uvx", rest[1:], command, ctx)
        if action in ("install", "upgrade"):
            return _uv_packages(f"uv tool {action}", rest[1:], command, ctx, first_only=True)
        return None
    if verb == "add":
        return _uv_packages("uv add", rest, command, ctx, first_only=False)
    if verb == "sync":
        parsed = parse_options(rest, _UV)
        pin = LOCKED if parsed.has("--locked", "--frozen") else EXACT
        return Install(
            "uv",
            "uv sync",
            (Requested("the lockfile", "uv sync", pin, "", ""),),
            locked_how="uv sync --locked",
            lookup=PIP_LOOKUP,
        )
    if verb == "run":
        index, _ = _until_operand(rest, _UV)
        parsed = parse_options(rest[:index], _UV)
        withs = parsed.values("--with")
        files = parsed.values("--with-requirements")
        if not withs and not files:
            return None
        requested = [judge_pip_spec(spec) for spec in withs]
        from_files, problems = _requirement_files(files, (), command, ctx)
        return Install(
            "uv",
            "uv run --with",
            (*requested, *from_files),
            problems,
            locked_how=_UV_LOCKED,
            lookup=PIP_LOOKUP,
        )
    return None


def _uv_packages(
    tool: str,
    words: tuple[Word, ...],
    command: SimpleCommand,
    ctx: ShellContext,
    *,
    first_only: bool,
) -> Install | None:
    parsed = parse_options(words, _UV)
    specs = spec_texts(parsed.operands)
    if first_only:
        specs = specs[:1]
    options = {key: parsed.values(f"--{key}") for key in ("rev", "tag", "branch")}
    editable = parsed.has("-e", "--editable")
    requested = [_git_ref_pin(judge_pip_spec(spec, editable=editable), options) for spec in specs]
    requested.extend(judge_pip_spec(spec) for spec in parsed.values("--with"))
    files = parsed.values("-r", "--requirements", "--with-requirements")
    from_files, problems = _requirement_files(
        files, parsed.values("-c", "--constraints"), command, ctx
    )
    requested.extend(from_files)
    if not requested and not problems:
        return None
    return Install("uv", tool, tuple(requested), problems, _UV_LOCKED, PIP_LOOKUP)


def _uv_run_tool(
    tool: str, words: tuple[Word, ...], command: SimpleCommand, ctx: ShellContext
) -> Install | None:
    index, rest = _until_operand(words, _UV)
    parsed = parse_options(words[:index], _UV)
    packages = parsed.values("--from") or spec_texts(rest[:1])
    requested = []
    for spec in packages:
        judged = judge_pip_spec(_at_version(spec))
        name = judged.name
        requested.append(Requested(name, spec, judged.pin, f"{name}@<version>", judged.locked_form))
    requested.extend(judge_pip_spec(spec) for spec in parsed.values("--with"))
    from_files, problems = _requirement_files(
        parsed.values("--with-requirements"), parsed.values("-c", "--constraints"), command, ctx
    )
    requested.extend(from_files)
    if not requested and not problems:
        return None
    return Install(
        "uv",
        tool,
        tuple(requested),
        problems,
        "add it as a dev dependency (uv add --dev NAME==<version>), install with uv sync "
        "--locked and run the project's copy (uv run NAME)",
        PIP_LOOKUP,
    )


def _pipx(command: SimpleCommand) -> Install | None:
    words = command.args
    if not words:
        return None
    verb = words[0].value
    if verb == "run":
        index, rest = _until_operand(words[1:], _PIPX)
        parsed = parse_options(words[1 : 1 + index], _PIPX)
        specs = parsed.values("--spec") or spec_texts(rest[:1])
    elif verb in ("install", "inject"):
        parsed = parse_options(words[1:], _PIPX)
        specs = spec_texts(parsed.operands)
        if verb == "inject":
            specs = specs[1:]
        specs += parsed.values("--spec")
    else:
        return None
    if not specs:
        return None
    return Install(
        "uv",
        f"pipx {verb}",
        tuple(judge_pip_spec(spec) for spec in specs),
        locked_how=(
            "install it into the project instead (uv add --dev NAME==<version>, then uv sync "
            "--locked) and run the project's copy"
        ),
        lookup=PIP_LOOKUP,
    )


_POETRY_AT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*(?:\[[^\]]*\])?)@(.+)$")


def _poetry_spec(spec: str) -> Requested:
    """Poetry's ``name@constraint``: ``@^1.2`` a range, ``@1.2.3`` exact, ``@latest`` none."""
    match = _POETRY_AT.match(spec)
    if match is None or "://" in spec:
        return judge_pip_spec(spec)
    name, constraint = match.groups()
    base = judge_pip_spec(name)
    text = constraint.strip()
    if text.startswith("==") or re.fullmatch(r"\d+(?:\.\d+)*", text):
        pin = EXACT
    elif text in ("latest", "*", ""):
        pin = ANY
    else:
        kind = version_pin(text.replace(",", " "))[0]
        pin = CONSTRAINED if kind != "any" or text[0] in "<>=!~^" else ANY
    return Requested(base.name, spec, pin, base.exact_form, base.locked_form)


def _project_manager(command: SimpleCommand) -> Install | None:
    """``poetry add`` and ``pdm add``: add a dependency and install it."""
    words = command.args
    spec_options = _POETRY if command.name == "poetry" else _PDM
    start = subcommand(words, frozenset({"-C", "--directory", "-P", "--project", "-p"}))
    if start is None or words[start].value != "add":
        return None
    parsed = parse_options(words[start + 1 :], spec_options)
    specs = spec_texts(parsed.operands)
    if not specs:
        return None
    judge = _poetry_spec if command.name == "poetry" else judge_pip_spec
    return Install(
        "pip",
        f"{command.name} add",
        tuple(judge(spec) for spec in specs),
        locked_how=f"{command.name} add NAME==<version>, then {command.name} install from the "
        "lockfile",
        lookup=PIP_LOOKUP,
    )


def python_tool_install(command: SimpleCommand, ctx: ShellContext) -> Install | None:
    """What a uv, uvx, pipx, poetry or pdm command installs, or None."""
    name = command.name
    if name == "uvx":
        return _uv_run_tool("uvx", command.args, command, ctx)
    if name == "uv":
        return _uv(command, ctx)
    if name == "pipx":
        return _pipx(command)
    if name in ("poetry", "pdm"):
        return _project_manager(command)
    return None
