"""``supply-chain.unpinned-install``: installing packages without the pin the policy asks for.

An unpinned install runs whatever the registry serves today, install scripts included: a
hijacked release or a typosquat becomes code on the developer's machine or in CI. Each
command that installs (pip, ``python -m pip``, ``uv pip|add|sync|tool``, ``uvx``, ``pipx``,
``poetry add``, ``pdm add``, npm, npx, yarn, pnpm, bun, bunx, ``cargo install``, ``go
install|get|run``, ``gem install``, ``docker|podman pull|run|create``, ``brew install``) is
read by its ecosystem's module into ``Install``: every package asked for and the pin its
spelling gives (``pin_forms``). The policy's ``supply_chain`` strictness for the ecosystem
(``any`` < ``constrained`` < ``exact`` < ``locked``) decides which pins pass.

``pip install -r FILE`` reads FILE (and nested ``-r`` and ``-c`` files) through
``ctx.read_text``; a file that cannot be read fails closed. The remediation writes the
pinned command with ``<version>`` placeholders: an evaluator cannot look versions up, so it
says where to find them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from functools import lru_cache

from agentgov.evaluators.rules.base import Hit, Rule, ShellContext
from agentgov.evaluators.rules.path_words import resolve
from agentgov.evaluators.rules.supply_chain.brew_args import brew_install
from agentgov.evaluators.rules.supply_chain.cargo_args import cargo_install
from agentgov.evaluators.rules.supply_chain.docker_args import ENGINES, docker_install
from agentgov.evaluators.rules.supply_chain.gem_args import gem_install
from agentgov.evaluators.rules.supply_chain.go_args import go_install
from agentgov.evaluators.rules.supply_chain.npm_args import node_install
from agentgov.evaluators.rules.supply_chain.pin_forms import Install, Requested, describe
from agentgov.evaluators.rules.supply_chain.pip_args import PIP, PYTHON, pip_install
from agentgov.evaluators.rules.supply_chain.python_tools import python_tool_install
from agentgov.evaluators.shell.model import Analysis, FlowKind, SimpleCommand, Word
from agentgov.policy.model import ActionClass, Strictness

Recognise = Callable[[SimpleCommand, Analysis, ShellContext], "Install | None"]

# Program name -> the reader of its installs. Names not listed install nothing.
_READERS: dict[str, Recognise] = {
    **dict.fromkeys(
        ("uvx", "pipx", "poetry", "pdm"),
        lambda command, _, ctx: python_tool_install(command, ctx),
    ),
    **dict.fromkeys(
        ("npm", "npx", "yarn", "pnpm", "pnpx", "bun", "bunx"),
        lambda command, _, ctx: node_install(command, ctx),
    ),
    "cargo": lambda command, _, __: cargo_install(command),
    "go": lambda command, _, ctx: go_install(command, ctx),
    "gem": lambda command, _, __: gem_install(command),
    "brew": lambda command, _, __: brew_install(command),
    **dict.fromkeys(ENGINES, lambda command, analysis, _: docker_install(command, analysis)),
}


def _pip(command: SimpleCommand, analysis: Analysis, ctx: ShellContext) -> Install | None:
    found = pip_install(command, ctx)
    if found is None and command.name == "uv":
        return python_tool_install(command, ctx)
    return found


@lru_cache(maxsize=1024)
def _reader(name: str) -> Recognise | None:
    if PIP.fullmatch(name) or PYTHON.fullmatch(name) or name == "uv":
        return _pip
    return _READERS.get(name)


def _is_lockfile(requested: Requested) -> bool:
    return requested.name == "the lockfile" and not requested.exact_form


def _shortfall(requested: Requested) -> str:
    return f"{requested.spec} ({describe(requested.pin)})"


def _remediation(install: Install, failing: list[Requested], required: Strictness) -> str:
    advice: list[str] = []
    if install.problems:
        advice.append(
            "make the file readable at the path the command gives (relative to the "
            "command's directory) so its pins can be checked"
        )
    if not failing:
        return "; ".join(advice)
    names = ", ".join(dict.fromkeys(one.name for one in failing))
    forms = [
        one.locked_form if required is Strictness.LOCKED else one.exact_form for one in failing
    ]
    if install.ecosystem == "brew":
        advice.append(install.locked_how)
    elif all(map(_is_lockfile, failing)):
        advice.append(f"install from the lockfile without changing it: {install.locked_how}")
    elif not all(forms) or (
        required is Strictness.LOCKED and install.ecosystem not in ("cargo", "docker")
    ):
        advice.append(f"lock {names}: {install.locked_how}")
    else:
        lookup = install.lookup.replace("NAME", failing[0].name).replace("MODULE", failing[0].name)
        them = "it" if len(failing) == 1 else "them"
        advice.append(f"pin {them}: {install.tool} {' '.join(forms)} ({lookup})")
    return "; ".join(advice)


def _xargs_file(command: SimpleCommand, analysis: Analysis) -> Word | None:
    """The file whose words ``xargs`` appends to the command: ``xargs pip install < FILE``
    or ``cat FILE | xargs pip install``."""
    for redirect in command.redirects:
        if redirect.op == "<" and redirect.target is not None:
            return redirect.target
    for flow in analysis.flows:
        source = analysis.commands[flow.source]
        if flow.sink == command.index and flow.kind is FlowKind.PIPE and source.name == "cat":
            files = [word for word in source.args if not word.value.startswith("-")]
            return files[0] if len(files) == 1 else None
    return None


def _with_xargs(
    command: SimpleCommand, analysis: Analysis, ctx: ShellContext
) -> tuple[SimpleCommand, str | None]:
    """The command with the words ``xargs`` gives it, when they come from a file the rule
    can read; else the command as is (unknown words are the analyser's ``dynamic``), or a
    problem when the file cannot be read."""
    if "xargs" not in command.wrappers:
        return command, None
    file = _xargs_file(command, analysis)
    if file is None:
        return command, None
    path = resolve(file, command.cwd, ctx.home)
    text = ctx.read_text(path) if path is not None else None
    if text is None:
        return command, f"cannot read {file.value} to check the packages xargs passes"
    words = [
        Word(token, token) for line in text.splitlines() for token in line.split("#", 1)[0].split()
    ]
    return dataclasses.replace(command, argv=(*command.argv, *words)), None


def _evaluate(analysis: Analysis, ctx: ShellContext) -> Iterator[Hit]:
    for original in analysis.commands:
        reader = _reader(original.name)
        if reader is None:
            continue
        command, problem = _with_xargs(original, analysis, ctx)
        install = reader(command, analysis, ctx)
        if problem is not None:
            # What the command would install is unknown: read it with a stand-in package
            # for its ecosystem and tool, and report only the unreadable file.
            stand_in = Word("package", "package")
            probe = reader(
                dataclasses.replace(command, argv=(*command.argv, stand_in)), analysis, ctx
            )
            if probe is not None:
                install = dataclasses.replace(probe, requested=(), problems=(problem,))
        if install is None:
            continue
        required = ctx.policy.strictness(install.ecosystem)
        if required is Strictness.ANY:
            continue
        failing = [one for one in install.requested if one.pin.rank < required.rank]
        if not failing and not install.problems:
            continue
        parts = list(install.problems)
        packages = [one for one in failing if not _is_lockfile(one)]
        if packages:
            parts.insert(0, f"{install.tool} installs {', '.join(map(_shortfall, packages))}")
        elif failing:
            parts.insert(0, f"{install.tool} may update the lockfile")
        yield RULE.hit(
            original.text,
            f"{'; '.join(parts)}: the policy requires {required.value} pins for "
            f"{install.ecosystem}",
            _remediation(install, failing, required),
        )


RULE = Rule(
    id="supply-chain.unpinned-install",
    action_class=ActionClass.FORBIDDEN,
    summary="Package installs without the pin the policy requires (pip, npm, uv, cargo, go...).",
    example="pip install requests",
    evaluate=_evaluate,
)
