"""Commands whose arguments are themselves commands: ``bash -c``, ``eval``, ``watch``,
``find -exec``, and shells that read a script from a file or from stdin.

These functions only read argv; the walker in ``analyze.py`` re-parses what they return.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agentgov.evaluators.shell.model import SimpleCommand, Word
from agentgov.evaluators.shell.words import decode_ansi_c

_PRINTERS = frozenset({"echo", "printf"})

SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "fish", "rbash", "yash"})
"""Programs that run a shell script (the bash grammar reads all of them well enough)."""

# Shell options that take the next word as their value.
_SHELL_LONG_WITH_VALUE = frozenset({"--rcfile", "--init-file"})
_SHELL_SHORT_WITH_VALUE = "oO"


@dataclass(frozen=True)
class ShellRun:
    """What a shell invocation runs.

    ``command`` is the ``-c`` string; ``script`` the script file operand; when both are None
    the shell reads its script from stdin (``curl x | sh``, ``bash -s``, ``bash <<EOF``).
    """

    command: Word | None = None
    script: Word | None = None

    @property
    def reads_stdin(self) -> bool:
        """Whether the shell reads its script from stdin."""
        return self.command is None and self.script is None


def shell_run(argv: tuple[Word, ...] | list[Word]) -> ShellRun:
    """Read ``sh [options] [-c STRING | FILE] [args...]``."""
    takes_string = False
    reads_stdin = False
    i = 1
    while i < len(argv):
        word = argv[i]
        value = word.value
        if not word.static:
            break
        if value in ("-", "--"):
            i += 1
            break
        if value.startswith("--"):
            if value == "--command":  # fish
                takes_string = True
            i += 2 if value in _SHELL_LONG_WITH_VALUE else 1
            continue
        if value[:1] in ("-", "+") and len(value) > 1:
            flags = value[1:]
            if value[0] == "-" and "c" in flags:
                takes_string = True
            if value[0] == "-" and "s" in flags:
                reads_stdin = True
            i += 2 if any(flag in _SHELL_SHORT_WITH_VALUE for flag in flags) else 1
            continue
        break
    if i >= len(argv):
        return ShellRun()
    if takes_string:
        return ShellRun(command=argv[i])
    if reads_stdin:
        return ShellRun()
    return ShellRun(script=argv[i])


def reads_script_from_stdin(command: SimpleCommand) -> bool:
    """Whether the command is a shell that reads its script from stdin: ``sh``, ``bash -s``,
    ``sudo -s``/``sudo -i`` without a command, ``su``/``runuser`` without ``-c``."""
    name = command.name
    if name in SHELLS:
        return shell_run(command.argv).reads_stdin
    if name in ("sudo", "doas"):
        return any(
            word.value in ("--shell", "--login")
            or (
                word.value[:1] == "-"
                and word.value[1:2] != "-"
                and ("s" in word.value or "i" in word.value)
            )
            for word in command.argv[1:]
        )
    if name in ("su", "runuser"):
        return command_string(command.argv) is None
    return False


def script_path(command: SimpleCommand) -> Word | None:
    """The script file a command runs: ``sh x.sh``, ``source x.sh``, ``./x.sh``,
    ``sh < x.sh``."""
    argv = command.argv
    if command.name in SHELLS:
        run = shell_run(argv)
        if run.script is not None:
            return run.script
        if run.reads_stdin:
            for redirect in command.redirects:
                if redirect.op in ("<", "0<") and redirect.target is not None:
                    return redirect.target
        return None
    if command.name in ("source", "."):
        return argv[1] if len(argv) > 1 else None
    if "/" in argv[0].value:
        return argv[0]
    return None


def joined(words: tuple[Word, ...] | list[Word]) -> Word:
    """Words joined by spaces, as ``eval`` and ``watch`` join their arguments."""
    return Word(
        " ".join(word.value for word in words),
        " ".join(word.raw for word in words),
        all(word.static for word in words),
        any(word.glob for word in words),
    )


def joined_text(first: Word, second: Word) -> Word:
    """The text of a file ``second`` was appended to (``>>``)."""
    return Word(
        first.value + second.value,
        first.raw + second.raw,
        first.static and second.static,
        first.glob or second.glob,
    )


_WATCH_WITH_VALUE = "nq"
_WATCH_LONG_WITH_VALUE = frozenset({"--interval", "--equexit"})


def watch_command(argv: tuple[Word, ...] | list[Word]) -> tuple[list[Word], bool] | None:
    """The command ``watch`` repeats, and whether it runs it directly (``-x``) rather
    than through ``sh -c``."""
    direct = False
    i = 1
    while i < len(argv):
        word = argv[i]
        value = word.value
        if not word.static:
            break
        if value == "--":
            i += 1
            break
        if value.startswith("--"):
            name = value.partition("=")[0]
            direct = direct or name == "--exec"
            i += 2 if name in _WATCH_LONG_WITH_VALUE and "=" not in value else 1
            continue
        if value.startswith("-") and len(value) > 1:
            consumed = 1
            for position, char in enumerate(value[1:], start=1):
                if char == "x":
                    direct = True
                if char in _WATCH_WITH_VALUE:
                    if position == len(value) - 1:
                        consumed = 2
                    break
            i += consumed
            continue
        break
    if i >= len(argv):
        return None
    return list(argv[i:]), direct


_FIND_EXEC = frozenset({"-exec", "-execdir", "-ok", "-okdir"})


def find_exec_commands(
    argv: tuple[Word, ...] | list[Word],
) -> list[tuple[list[Word], bool]]:
    """Each ``-exec``/``-execdir``/``-ok``/``-okdir`` command of a ``find``, with whether it
    runs in the matched file's directory (``-execdir``/``-okdir``)."""
    commands: list[tuple[list[Word], bool]] = []
    i = 1
    while i < len(argv):
        value = argv[i].value
        if value in _FIND_EXEC:
            in_file_dir = value.endswith("dir")
            start = i + 1
            end = start
            while end < len(argv) and not (
                argv[end].value == ";" or (argv[end].value == "+" and argv[end - 1].value == "{}")
            ):
                end += 1
            if end > start:
                commands.append((list(argv[start:end]), in_file_dir))
            i = end + 1
            continue
        i += 1
    return commands


def find_start_paths(argv: tuple[Word, ...] | list[Word]) -> list[Word]:
    """The starting points of a ``find`` (the words before the first expression)."""
    paths: list[Word] = []
    i = 1
    # Leading -H/-L/-P/-D debugopts/-Olevel options come before the paths.
    while i < len(argv):
        value = argv[i].value
        if value in ("-H", "-L", "-P") or (value.startswith("-O") and len(value) > 2):
            i += 1
        elif value == "-D":
            i += 2
        else:
            break
    while i < len(argv):
        value = argv[i].value
        if argv[i].static and (value.startswith("-") or value in ("(", "!", ")")):
            break
        paths.append(argv[i])
        i += 1
    return paths


def _after_options(
    argv: tuple[Word, ...] | list[Word],
    start: int,
    short_with_value: str,
    long_with_value: frozenset[str],
) -> int:
    """The index of the first operand at or after ``start`` (options skipped)."""
    i = start
    while i < len(argv):
        word = argv[i]
        value = word.value
        if not word.static or not value.startswith("-") or value == "-":
            return i
        if value == "--":
            return i + 1
        if value.startswith("--"):
            i += 2 if value in long_with_value else 1
            continue
        consumed = 1
        for position, char in enumerate(value[1:], start=1):
            if char in short_with_value:
                consumed = 1 if position < len(value) - 1 else 2
                break
        i += consumed
    return i


_SSH_WITH_VALUE = "BbcDEeFIiJLlmOopQRSWw"


def ssh_command(argv: tuple[Word, ...] | list[Word]) -> list[Word] | None:
    """The remote command of ``ssh [options] host command...`` (run by the remote shell)."""
    host = _after_options(argv, 1, _SSH_WITH_VALUE, frozenset())
    if host + 1 >= len(argv):
        return None
    return list(argv[host + 1 :])


_DOCKER_EXEC_WITH_VALUE = "euw"
_DOCKER_EXEC_LONG = frozenset({"--env", "--env-file", "--user", "--workdir", "--detach-keys"})
_DOCKER_RUN_WITH_VALUE = "acehlmpuvw"
_DOCKER_RUN_LONG = frozenset(
    [
        "--attach",
        "--add-host",
        "--blkio-weight",
        "--cap-add",
        "--cap-drop",
        "--cgroup-parent",
        "--cidfile",
        "--cpu-period",
        "--cpu-quota",
        "--cpu-shares",
        "--cpus",
        "--cpuset-cpus",
        "--cpuset-mems",
        "--device",
        "--dns",
        "--dns-search",
        "--dns-option",
        "--env",
        "--env-file",
        "--entrypoint",
        "--expose",
        "--gpus",
        "--hostname",
        "--health-cmd",
        "--health-interval",
        "--health-retries",
        "--health-timeout",
        "--ip",
        "--ip6",
        "--label",
        "--label-file",
        "--link",
        "--log-driver",
        "--log-opt",
        "--memory",
        "--memory-swap",
        "--memory-reservation",
        "--mount",
        "--name",
        "--network",
        "--net",
        "--network-alias",
        "--publish",
        "--pid",
        "--platform",
        "--pull",
        "--restart",
        "--runtime",
        "--security-opt",
        "--shm-size",
        "--stop-signal",
        "--stop-timeout",
        "--tmpfs",
        "--user",
        "--ulimit",
        "--userns",
        "--volume",
        "--volumes-from",
        "--workdir",
        "--ipc",
        "--uts",
        "--isolation",
        "--cgroupns",
        "--domainname",
        "--mac-address",
        "--oom-score-adj",
        "--sysctl",
        "--group-add",
        "--index",
        "--detach-keys",
        "--storage-opt",
    ]
)
_COMPOSE_GLOBAL_WITH_VALUE = "fp"
_COMPOSE_GLOBAL_LONG = frozenset(
    {"--file", "--project-name", "--profile", "--env-file", "--project-directory", "--ansi"}
)


@dataclass(frozen=True)
class ContainerRun:
    """A command run in a container or pod: its argv, working directory (``-w``) and the
    variables ``-e NAME=value`` sets in its environment."""

    argv: list[Word]
    workdir: Word | None = None
    environment: tuple[tuple[str, Word], ...] = ()


def container_command(argv: tuple[Word, ...] | list[Word]) -> ContainerRun | None:
    """The command of ``docker|podman exec|run``, ``docker compose exec|run`` and
    ``kubectl|oc exec ... -- command``."""
    name = argv[0].value.rsplit("/", 1)[-1]
    values = [word.value for word in argv]
    if name in ("kubectl", "oc"):
        if "exec" not in values or "--" not in values:
            return None
        rest = list(argv[values.index("--") + 1 :])
        return ContainerRun(rest) if rest else None
    i = _after_options(argv, 1, "Hc", frozenset({"--host", "--context", "--config"}))
    if i < len(argv) and values[i] == "compose":
        i = _after_options(argv, i + 1, _COMPOSE_GLOBAL_WITH_VALUE, _COMPOSE_GLOBAL_LONG)
    if i >= len(argv) or values[i] not in ("exec", "run"):
        return None
    run = values[i] == "run"
    short = _DOCKER_RUN_WITH_VALUE if run else _DOCKER_EXEC_WITH_VALUE
    long_options = _DOCKER_RUN_LONG if run else _DOCKER_EXEC_LONG
    target = _after_options(argv, i + 1, short, long_options)
    command = list(argv[target + 1 :])
    options = argv[i + 1 : target]
    workdir = _option_value(options, ("-w", "--workdir"))
    entrypoint = _option_value(options, ("--entrypoint",))
    if entrypoint is not None:
        command = [entrypoint, *command]
    environment = tuple(_environment(options))
    return ContainerRun(command, workdir, environment) if command else None


def _environment(options: tuple[Word, ...] | list[Word]) -> list[tuple[str, Word]]:
    """``-e NAME=value``, ``--env NAME=value``, ``--env=NAME=value`` (``-e NAME`` alone
    passes the caller's value through: not known here)."""
    found: list[tuple[str, Word]] = []
    for position, word in enumerate(options):
        value = word.value
        if value in ("-e", "--env") and position + 1 < len(options):
            setting = options[position + 1]
        elif value.startswith("--env="):
            setting = Word(value[len("--env=") :], word.raw, word.static)
        elif value.startswith("-e") and len(value) > 2 and not value.startswith("--"):
            setting = Word(value[2:], word.raw, word.static)
        else:
            continue
        name, equals, assigned = setting.value.partition("=")
        if equals and name:
            found.append((name, Word(assigned, setting.raw, setting.static)))
    return found


def _option_value(options: tuple[Word, ...] | list[Word], names: tuple[str, ...]) -> Word | None:
    found: Word | None = None
    for position, word in enumerate(options):
        name, equals, attached = word.value.partition("=")
        if name in names:
            if equals:
                found = Word(attached, word.raw, word.static)
            elif position + 1 < len(options):
                found = options[position + 1]
    return found


_STRING_OPTIONS = {
    "su": ("-c", "--command"),
    "runuser": ("-c", "--command"),
    "script": ("-c", "--command"),
    "flock": ("-c", "--command"),
}


def command_string(argv: tuple[Word, ...] | list[Word]) -> Word | None:
    """The script of ``su [user] -c STRING``, ``runuser``, ``script -c``, ``flock -c``."""
    names = _STRING_OPTIONS.get(argv[0].value.rsplit("/", 1)[-1], ())
    for position, word in enumerate(argv[1:], start=1):
        value = word.value
        if value == "--":
            break
        name, equals, attached = value.partition("=")
        if name in names:
            if equals:
                return Word(attached, word.raw, word.static)
            return argv[position + 1] if position + 1 < len(argv) else None
        if value.startswith("-") and not value.startswith("--") and "c" in value:
            # A cluster such as `-qc STRING` or `-cSTRING`.
            rest = value[value.index("c") + 1 :]
            if rest:
                return Word(rest, word.raw, word.static)
            return argv[position + 1] if position + 1 < len(argv) else None
    return None


_PARALLEL_WITH_VALUE = "jSaCdEIXnNLlPs"
_PARALLEL_LONG = frozenset(
    [
        "--jobs",
        "--sshlogin",
        "--arg-file",
        "--colsep",
        "--delimiter",
        "--eof",
        "--replace",
        "--joblog",
        "--results",
        "--tmpdir",
        "--timeout",
        "--max-args",
        "--max-replace-args",
        "--max-lines",
        "--max-procs",
        "--workdir",
        "--basefile",
        "--return",
        "--env",
        "--tag-string",
        "--memfree",
        "--load",
        "--delay",
        "--retries",
        "--halt",
        "--sshloginfile",
        "--shebang-wrap",
        "--block",
        "--max-chars",
    ]
)
_PARALLEL_SOURCES = frozenset({":::", "::::", ":::+", "::::+"})


def parallel_command(argv: tuple[Word, ...] | list[Word]) -> list[Word] | None:
    """The command template of ``parallel [options] command ::: arguments``."""
    start = _after_options(argv, 1, _PARALLEL_WITH_VALUE, _PARALLEL_LONG)
    command: list[Word] = []
    for word in argv[start:]:
        if word.value in _PARALLEL_SOURCES:
            break
        command.append(word)
    return command or None


def printed_text(command: SimpleCommand) -> Word | None:
    """The text ``echo``, ``printf`` (``%s`` directives only) or ``cat <<EOF`` prints."""
    if command.name == "cat" and len(command.argv) == 1:
        for redirect in command.redirects:
            if redirect.body is not None:
                return Word(redirect.body, redirect.body, redirect.body_static)
        return None
    if command.name not in _PRINTERS or len(command.argv) < 2:
        return None
    args = list(command.argv[1:])
    if command.name == "echo":
        newline, escapes = "\n", False
        while args and args[0].static and _ECHO_OPTIONS.fullmatch(args[0].value):
            newline = "" if "n" in args[0].value else newline
            escapes = "e" in args[0].value or (escapes and "E" not in args[0].value)
            args = args[1:]
        text = joined(args)
        value = decode_ansi_c(text.value) if escapes else text.value
        return Word(value + newline, text.raw, text.static, text.glob)
    return _printf(args)


_ECHO_OPTIONS = re.compile(r"-[neE]+")
_PRINTF_DIRECTIVE = re.compile(r"%(.)")


def _printf(args: list[Word]) -> Word | None:
    """``printf FORMAT ARGS...`` when FORMAT has no directive but ``%s`` and ``%%``."""
    if args and args[0].value == "--":
        args = args[1:]
    if not args:
        return None
    form = args[0]
    if any(match.group(1) not in "s%" for match in _PRINTF_DIRECTIVE.finditer(form.value)):
        return None
    template = decode_ansi_c(form.value)
    values = [word.value for word in args[1:]]
    pieces: list[str] = []
    # printf reuses its format until the arguments run out (at least once).
    for _ in range(len(values) + 1):
        pieces.append(_PRINTF_DIRECTIVE.sub(lambda match: _fill(match, values), template))
        if not values or "%s" not in template:
            break
    return Word("".join(pieces), form.raw, all(word.static for word in args), form.glob)


def _fill(match: re.Match[str], values: list[str]) -> str:
    if match.group(1) == "%":
        return "%"
    return values.pop(0) if values else ""
