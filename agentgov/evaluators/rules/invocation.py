"""The tools a command runs: the command itself, then what its project launchers start.

The analyser removes process wrappers (``sudo``, ``env``, ``timeout``...). Project launchers
are a different layer that it leaves alone, because what they start is the project's tool:
``bundle exec rake db:migrate``, ``npx prisma migrate deploy``, ``python -m twine upload``,
``poetry run alembic upgrade head``, ``kubectl exec pod -- psql -c ...``. Rules that judge
one tool look through them with ``invocations``; the flag readers below share one idea of
what an option and its value are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Container, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import NamedTuple

from agentgov.evaluators.shell.model import Analysis, SimpleCommand, Word

_PYTHON = re.compile(r"(?:python|pypy)[0-9.]*t?|py")
_STRIP_SUFFIXES = (".exe", ".cmd", ".bat")
_MAX_DEPTH = 4


class Invocation(NamedTuple):
    """One tool a command runs, with the words after it.

    ``via`` names the launchers passed through, outermost first (``("bundle exec",)``);
    it is empty for the command itself. A named tuple rather than a frozen dataclass: rules
    build one per command they look at, and a frozen dataclass's ``__init__`` costs several
    times a tuple's; it never leaves the rules.
    """

    tool: str
    args: tuple[Word, ...]
    via: tuple[str, ...] = ()

    def values(self) -> tuple[str, ...]:
        return tuple(word.value for word in self.args)


@lru_cache(maxsize=4096)
def tool_name(program: str) -> str:
    """The comparable name of a program as written.

    ``/usr/local/bin/terraform`` -> ``terraform``, ``python3.12`` -> ``python``,
    ``@vscode/vsce@2.24`` -> ``vsce``, ``vercel@latest`` -> ``vercel``.
    """
    name = program.lstrip("\\").rstrip("/").rsplit("/", 1)[-1].lower()
    if "@" in name[1:]:
        name = name[0] + name[1:].split("@", 1)[0]
    name = name.lstrip("@")
    for suffix in _STRIP_SUFFIXES:
        name = name.removesuffix(suffix)
    if _PYTHON.fullmatch(name):
        return "python"
    return name


def invocations(command: SimpleCommand) -> tuple[Invocation, ...]:
    """The command itself, then each tool its launchers start, outermost first."""
    if not command.argv:
        return ()
    first = Invocation(tool_name(command.name or command.argv[0].value), command.args)
    found = [first]
    current: Invocation | None = first
    while current is not None and len(found) <= _MAX_DEPTH:
        current = _launched(current)
        if current is not None:
            found.append(current)
    return tuple(found)


def launched_by(analysis: Analysis, command: SimpleCommand, indices: Container[int]) -> bool:
    """True when a command that ran ``command`` (its ``parent``, that one's parent...) is
    among ``indices``.

    The analyser reports the command ``kubectl exec pod -- rails db:migrate`` runs as a
    command of its own, and ``invocations`` finds it in the launcher's words too; a rule
    that judges both keeps the outermost, so one statement gets one hit.
    """
    parent = command.parent
    steps = 0
    while parent is not None and steps < len(analysis.commands):
        if parent in indices:
            return True
        parent = analysis.commands[parent].parent
        steps += 1
    return False


def may_run(command: SimpleCommand, tools: Container[str]) -> bool:
    """A cheap test to make before ``invocations``: False when ``command`` can run none of
    ``tools``, being neither one of them nor a launcher that may start one."""
    if not command.argv:
        return False
    tool = tool_name(command.name or command.argv[0].value)
    return tool in tools or tool in LAUNCHERS


def option_name(value: str) -> str:
    """``--env=prod`` -> ``--env``; ``-n`` -> ``-n``; a non-option gives ``""``."""
    if len(value) < 2 or not value.startswith("-"):
        return ""
    return value.split("=", 1)[0]


# The readers below take their option names as a tuple or set and test membership in it as
# given: the lists are short, only option words are looked up, and building a set on
# every call cost more than the lookups it saved.


def positionals(args: Sequence[Word], value_flags: Collection[str] = ()) -> tuple[Word, ...]:
    """The arguments that are not options nor option values; all words after ``--``."""
    takes_value = value_flags
    out: list[Word] = []
    skip = False
    rest = False
    for word in args:
        value = word.value
        if skip:
            skip = False
        elif rest:
            out.append(word)
        elif value == "--":
            rest = True
        elif value.startswith("-") and value != "-":
            skip = "=" not in value and value in takes_value
        else:
            out.append(word)
    return tuple(out)


def flag_values(
    args: Sequence[Word], names: Collection[str], *, attached: bool = False
) -> tuple[str, ...]:
    """Values given to any of ``names``: ``--name value``, ``--name=value``, ``-n value``.

    With ``attached``, a one-letter option also takes a value glued to it (``-hprod-db``,
    ``-e'DROP TABLE x'``), as getopt reads it.
    """
    wanted = names
    out: list[str] = []
    for position, word in enumerate(args):
        value = word.value
        if value == "--":
            break
        name = option_name(value)
        if name not in wanted:
            glued = value[:2]
            if attached and len(value) > 2 and value[1] != "-" and glued in wanted:
                out.append(value[2:])
            continue
        if "=" in value:
            out.append(value.split("=", 1)[1])
        elif position + 1 < len(args):
            out.append(args[position + 1].value)
    return tuple(out)


def has_flag(args: Sequence[Word], names: Collection[str]) -> bool:
    """True when any of ``names`` is given (``--all``, ``--all=true``), before any ``--``."""
    wanted = names
    for word in args:
        if word.value == "--":
            return False
        if option_name(word.value) in wanted:
            return True
    return False


def after_options(args: Sequence[Word], value_flags: Collection[str] = ()) -> tuple[Word, ...]:
    """The words from the first positional on (``--`` itself is dropped)."""
    takes_value = value_flags
    skip = False
    for position, word in enumerate(args):
        value = word.value
        if skip:
            skip = False
        elif value == "--":
            return tuple(args[position + 1 :])
        elif value.startswith("-") and value != "-":
            skip = "=" not in value and value in takes_value
        else:
            return tuple(args[position:])
    return ()


def after_double_dash(args: Sequence[Word]) -> tuple[Word, ...]:
    for position, word in enumerate(args):
        if word.value == "--":
            return tuple(args[position + 1 :])
    return ()


def _split_string_command(words: tuple[Word, ...]) -> tuple[Word, ...]:
    """``heroku run "rails db:migrate"`` passes the command as one word; split it."""
    if words and words[0].static and " " in words[0].value.strip():
        return (*(Word(part, part) for part in words[0].value.split()), *words[1:])
    return words


# Options that take a value, per launcher, so that the launched tool is found after them
# (sets: the readers above test membership as given).
_UV_RUN = frozenset(
    {
        *("--with", "--with-requirements", "--with-editable", "--env-file", "--python"),
        *("-p", "--project", "--directory", "--package", "--extra", "--group", "--index"),
        *("--index-url", "--extra-index-url", "--from"),
    }
)
_NPX = frozenset({"-p", "--package", "--node-options", "-w", "--workspace"})
_PYTHON_VALUES = frozenset({"-W", "-X", "-Q"})
_DOCKER_EXEC = frozenset(
    {"-e", "--env", "--env-file", "-u", "--user", "-w", "--workdir", "--detach-keys"}
)
_COMPOSE_RUN = frozenset(
    {
        *_DOCKER_EXEC,
        *("--index", "--name", "--entrypoint", "-p", "--publish", "-v", "--volume", "-l"),
        "--label",
    }
)
_DOCKER_RUN = frozenset(
    {
        *_DOCKER_EXEC,
        *("-v", "--volume", "-p", "--publish", "--name", "--network", "--net", "--entrypoint"),
        *("-l", "--label", "--label-file", "--mount", "--platform", "-m", "--memory", "--cpus"),
        *("--restart", "--add-host", "--hostname", "-h", "--dns", "--cap-add", "--cap-drop"),
        *("--device", "--gpus", "--log-driver", "--log-opt", "--pull", "--shm-size"),
        *("--ulimit", "--tmpfs", "--security-opt", "--stop-signal", "--ipc", "--pid"),
        *("--runtime", "--cidfile", "--link", "--expose", "--volumes-from", "-a", "--attach"),
        *("--cpu-shares", "-c", "--health-cmd", "--userns", "--uts", "--group-add"),
        *("--init-path", "--mac-address"),
    }
)
_HEROKU_RUN = frozenset({"-a", "--app", "-r", "--remote", "-s", "--size", "-e", "--env", "--type"})
_DOTENV = frozenset({"-e", "-c", "-v"})
_KUBECTL_EXEC = frozenset(
    {
        *("-n", "--namespace", "--context", "--kubeconfig", "--cluster", "--user", "-s"),
        *("--server", "-c", "--container", "--as", "--token", "--request-timeout"),
    }
)
_SECRET_RUNNERS = frozenset({"--env", "--config", "-c", "--project", "-p", "--path", "--env-file"})


def _first_operand(args: Sequence[Word], value_flags: Collection[str]) -> str:
    operands = positionals(args, value_flags)
    return operands[0].value if operands else ""


def _launch(via: str, parent: Invocation, words: tuple[Word, ...]) -> Invocation | None:
    if not words:
        return None
    head = words[0]
    if not head.static or head.value.startswith("-"):
        return None
    return Invocation(tool_name(head.value), tuple(words[1:]), (*parent.via, via))


# The programs ``invocations`` looks through; ``triggers.program_names`` reads it too.
LAUNCHERS = frozenset(
    {
        *("python", "php", "node", "ruby", "deno", "bundle", "poetry", "pipenv", "pdm", "rye"),
        *("hatch", "uv", "uvx", "pipx", "npx", "pnpx", "bunx", "npm", "pnpm", "yarn", "bun"),
        *("kubectl", "oc", "microk8s", "k3s", "minikube", "docker", "podman", "heroku"),
        *("dotenv", "op", "doppler", "infisical", "aws-vault", "chamber", "direnv"),
    }
)


def _launched(parent: Invocation) -> Invocation | None:
    tool, args = parent.tool, parent.args
    if tool not in LAUNCHERS:
        return None
    sub = args[0].value if args else ""
    if tool == "python":
        return _python(parent)
    if tool in ("php", "node", "ruby", "deno") and args:
        if tool == "deno" and sub == "run":
            return _launch("deno run", parent, after_options(args[1:]))
        return _launch(tool, parent, after_options(args))
    if tool == "bundle" and sub == "exec":
        return _launch("bundle exec", parent, after_options(args[1:]))
    if tool in ("poetry", "pipenv", "pdm", "rye", "hatch") and sub == "run":
        return _launch(f"{tool} run", parent, after_options(args[1:], _UV_RUN))
    if tool == "uv" and sub == "run":
        return _launch("uv run", parent, after_options(args[1:], _UV_RUN))
    if tool in ("uvx", "pipx") and args:
        rest = args[1:] if tool == "pipx" and sub == "run" else args
        return _launch(tool, parent, after_options(rest, _UV_RUN))
    if tool in ("npx", "pnpx", "bunx"):
        return _launch(tool, parent, after_options(args, _NPX))
    if tool in ("npm", "pnpm", "yarn", "bun") and sub in ("exec", "x", "dlx"):
        return _launch(f"{tool} {sub}", parent, after_options(args[1:], _NPX))
    if tool in ("yarn", "pnpm") and args and not sub.startswith("-"):
        # yarn and pnpm run a dependency's binary by its bare name (``yarn prisma ...``).
        rest = args[1:] if sub == "run" else args
        return _launch(tool, parent, rest)
    if (
        tool in ("kubectl", "oc")
        and any(word.value == "exec" for word in args)
        and _first_operand(args, _KUBECTL_EXEC) == "exec"
    ):
        return _launch(f"{tool} exec", parent, after_double_dash(args))
    if tool in ("microk8s", "k3s") and sub == "kubectl":
        return Invocation("kubectl", args[1:], (*parent.via, tool))
    if tool == "minikube" and sub == "kubectl":
        return Invocation("kubectl", after_double_dash(args) or args[1:], (*parent.via, tool))
    if tool in ("docker", "podman"):
        return _container_exec(parent)
    if tool == "heroku" and sub in ("run", "run:detached"):
        rest = _split_string_command(after_options(args[1:], _HEROKU_RUN))
        return _launch("heroku run", parent, rest)
    if tool == "dotenv":
        rest = after_double_dash(args) or after_options(args, _DOTENV)
        return _launch("dotenv", parent, rest)
    if (tool, sub) in (("op", "run"), ("doppler", "run"), ("infisical", "run")):
        rest = after_double_dash(args) or after_options(args[1:], _SECRET_RUNNERS)
        return _launch(f"{tool} run", parent, rest)
    if (tool, sub) in (("aws-vault", "exec"), ("chamber", "exec"), ("direnv", "exec")):
        rest = after_double_dash(args) or after_options(args[2:])
        return _launch(f"{tool} exec", parent, rest)
    return None


def _python(parent: Invocation) -> Invocation | None:
    args = parent.args
    skip = False
    for position, word in enumerate(args):
        value = word.value
        if skip:
            skip = False
            continue
        if value == "-m" and position + 1 < len(args):
            return _launch("python -m", parent, tuple(args[position + 1 :]))
        if value.startswith("-m") and len(value) > 2:
            module = Word(value[2:], value[2:])
            return _launch("python -m", parent, (module, *args[position + 1 :]))
        if value == "-c" or value.startswith("-c"):
            return None
        if value.startswith("-") and value != "-":
            skip = value in _PYTHON_VALUES
            continue
        return _launch("python", parent, tuple(args[position:]))
    return None


def _container_exec(parent: Invocation) -> Invocation | None:
    args = parent.args
    values = [word.value for word in args]
    if values[:1] == ["exec"]:
        rest = after_options(args[1:], _DOCKER_EXEC)
        return _launch(f"{parent.tool} exec", parent, rest[1:])
    if values[:1] == ["run"] or values[:2] == ["container", "run"]:
        start = 1 if values[0] == "run" else 2
        rest = after_options(args[start:], _DOCKER_RUN)
        return _launch(f"{parent.tool} run", parent, rest[1:])
    if values[:2] in (["compose", "exec"], ["compose", "run"]):
        rest = after_options(args[2:], _COMPOSE_RUN)
        return _launch(f"{parent.tool} compose {values[1]}", parent, rest[1:])
    return None


def recognised_actions(
    analysis: Analysis, recognisers: Mapping[str, Callable[[Invocation], str | None]]
) -> Iterator[tuple[SimpleCommand, str]]:
    """Each command a recogniser names an action for, with that action, once per statement:
    ``docker exec web npm publish`` is judged on docker, not again on npm."""
    judged: set[int] = set()
    for command in analysis.commands:
        if not may_run(command, recognisers) or launched_by(analysis, command, judged):
            continue
        for invocation in invocations(command):
            recognise = recognisers.get(invocation.tool)
            action = recognise(invocation) if recognise is not None else None
            if action is not None:
                judged.add(command.index)
                yield command, action
                break
