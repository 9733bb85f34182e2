"""Programs that run another program from their arguments: ``sudo``, ``env``, ``timeout``...

``unwrap`` peels them off, outermost first, and says what each one changed (assignments
given to ``env``/``sudo``, the directory ``env -C``/``sudo -D`` switch to). A wrapper whose
options mean "no command follows" (``command -v git``, ``sudo -l``, ``env`` alone) is not
removed: it is the program that runs.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from agentgov.evaluators.shell.model import Word

_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)\Z", re.DOTALL)


def program_name(word: Word) -> str:
    """The basename a word runs (``/usr/bin/git`` -> ``git``, ``\\rm`` -> ``rm``); ``""`` if
    the word is not static."""
    if not word.static:
        return ""
    value = word.value.lstrip("\\")
    if "/" not in value:
        return value
    # A path ending in `/` names a directory; keep it whole rather than return "".
    return value.rsplit("/", 1)[-1] or value


@dataclass(frozen=True)
class _Options:
    """How one wrapper's options are spelled.

    ``with_value``: short options that take a value (attached ``-uroot`` or next word).
    ``long_with_value``: long options that take a value (``--user root`` or ``--user=root``).
    ``no_command``: short options after which no command runs (``sudo -l``, ``command -v``).
    ``operands``: words to skip after the options before the command (``timeout 5``).
    ``assignments``: ``NAME=value`` words may follow the options (``sudo X=1 cmd``).
    ``chdir``: options whose value is the directory the command runs in.
    """

    with_value: str = ""
    long_with_value: frozenset[str] = frozenset()
    no_command: str = ""
    long_no_command: frozenset[str] = frozenset()
    operands: int = 0
    assignments: bool = False
    chdir: frozenset[str] = frozenset()
    numeric_flags: bool = False  # nice -10


WRAPPERS: dict[str, _Options] = {
    "sudo": _Options(
        with_value="ugCDprtTUR",
        long_with_value=frozenset(
            {
                "--user",
                "--group",
                "--close-from",
                "--chdir",
                "--prompt",
                "--role",
                "--type",
                "--other-user",
                "--host",
                "--command-timeout",
                "--chroot",
            }
        ),
        no_command="lvKVe",
        long_no_command=frozenset({"--list", "--validate", "--version", "--edit", "--help"}),
        assignments=True,
        chdir=frozenset({"-D", "--chdir"}),
    ),
    "doas": _Options(with_value="uC", no_command="L"),
    "command": _Options(no_command="vV"),
    "exec": _Options(with_value="a"),
    "builtin": _Options(),
    "nohup": _Options(),
    "nice": _Options(
        with_value="n", long_with_value=frozenset({"--adjustment"}), numeric_flags=True
    ),
    # `time` is a bash keyword: `time A=1 cmd` gives A=1 to cmd.
    "time": _Options(
        with_value="fo", long_with_value=frozenset({"--format", "--output"}), assignments=True
    ),
    "timeout": _Options(
        with_value="ks", long_with_value=frozenset({"--kill-after", "--signal"}), operands=1
    ),
    "stdbuf": _Options(
        with_value="ioe", long_with_value=frozenset({"--input", "--output", "--error"})
    ),
    "ionice": _Options(with_value="cn", no_command="pPu"),
    "chrt": _Options(
        with_value="TPD",
        long_with_value=frozenset({"--sched-runtime", "--sched-period", "--sched-deadline"}),
        no_command="pm",
        operands=1,
    ),
    "taskset": _Options(no_command="p", operands=1),
    "setsid": _Options(),
    # `flock FILE cmd`; `flock FILE -c STRING` is a script (see launchers.py).
    "flock": _Options(
        with_value="wE",
        long_with_value=frozenset({"--timeout", "--wait", "--conflict-exit-code"}),
        no_command="c",
        long_no_command=frozenset({"--command"}),
        operands=1,
    ),
    # `runuser -u USER [--] cmd`; without -u it takes a -c STRING like su (launchers.py).
    "runuser": _Options(
        with_value="ugGws",
        long_with_value=frozenset({"--user", "--group", "--supp-group", "--shell"}),
        no_command="c",
        long_no_command=frozenset({"--command"}),
    ),
    "unbuffer": _Options(),
    "xargs": _Options(
        with_value="IEdaLnPs",
        long_with_value=frozenset(
            {
                "--arg-file",
                "--delimiter",
                "--max-args",
                "--max-procs",
                "--max-chars",
                "--process-slot-var",
            }
        ),
        long_no_command=frozenset({"--help", "--version", "--show-limits"}),
    ),
}
"""Wrappers removed by ``unwrap``; ``env`` and ``busybox`` have their own parsers."""

# Commands run by these wrappers are reported with origin EXEC: they do not appear as
# written in the shell syntax (xargs builds them from stdin, busybox dispatches applets).
EXEC_WRAPPERS = frozenset({"xargs", "busybox"})

_ENV_WITH_VALUE = "uCSP"
_ENV_LONG_WITH_VALUE = frozenset({"--unset", "--chdir", "--split-string"})


@dataclass
class Unwrapped:
    """The command left after removing wrappers, and what the wrappers set."""

    argv: list[Word]
    wrappers: list[str] = field(default_factory=list)
    assignments: list[tuple[str, Word]] = field(default_factory=list)
    chdir: list[Word] = field(default_factory=list)  # in order; the last one wins
    unsets: list[str] = field(default_factory=list)  # env -u NAME; "*" for env -i
    notes: list[str] = field(default_factory=list)

    @property
    def exec_origin(self) -> bool:
        """Whether a wrapper builds the command itself (xargs, busybox)."""
        return any(name in EXEC_WRAPPERS for name in self.wrappers)


def unwrap(argv: list[Word]) -> Unwrapped:
    """Remove every wrapper in front of the real program, outermost first."""
    result = Unwrapped(argv)
    # Each round removes at least one word, so this terminates.
    while result.argv:
        name = program_name(result.argv[0])
        if name == "env":
            inner = _env(result)
        elif name == "busybox":
            inner = _busybox(result.argv)
        elif name == "runuser" and not _has_user_option(result.argv):
            inner = None
        elif name == "flock" and any(word.value in ("-c", "--command") for word in result.argv):
            inner = None  # `flock FILE -c STRING` runs a script, not a command
        elif name in WRAPPERS:
            inner = _generic(WRAPPERS[name], result)
        else:
            break
        if inner is None:
            break
        result.wrappers.append(name)
        result.notes.append(f"unwrapped {name}")
        result.argv = inner
    return result


def _option_parts(word: Word) -> tuple[str, str | None]:
    name, equals, value = word.value.partition("=")
    return name, (value if equals else None)


def _generic(options: _Options, result: Unwrapped) -> list[Word] | None:
    argv = result.argv
    i = 1
    while i < len(argv):
        word = argv[i]
        if not word.static:
            break
        value = word.value
        if value == "--":
            i += 1
            break
        if value.startswith("--"):
            name, attached = _option_parts(word)
            if name in options.long_no_command:
                return None
            if name in options.long_with_value and attached is None:
                if name in options.chdir and i + 1 < len(argv):
                    result.chdir.append(argv[i + 1])
                i += 2
            else:
                if name in options.chdir and attached is not None:
                    result.chdir.append(Word(attached, word.raw, word.static, word.glob))
                i += 1
            continue
        if value.startswith("-") and len(value) > 1:
            if options.numeric_flags and value[1:].isdigit():
                i += 1
                continue
            consumed = 1
            for position, char in enumerate(value[1:], start=1):
                if char in options.no_command:
                    return None
                if char in options.with_value:
                    attached_value = value[position + 1 :]
                    if "-" + char in options.chdir:
                        if attached_value:
                            result.chdir.append(Word(attached_value, word.raw))
                        elif i + 1 < len(argv):
                            result.chdir.append(argv[i + 1])
                    if not attached_value:
                        consumed = 2
                    break
            i += consumed
            continue
        break
    if options.assignments:
        i = _assignments(argv, i, result)
    i += options.operands
    if i >= len(argv):
        return None
    return argv[i:]


def _assignments(argv: list[Word], i: int, result: Unwrapped) -> int:
    while i < len(argv):
        word = argv[i]
        match = _ASSIGNMENT.match(word.value)
        if match is None:
            break
        result.assignments.append(
            (match.group(1), Word(match.group(2), word.raw, word.static, word.glob))
        )
        i += 1
    return i


def _env(result: Unwrapped) -> list[Word] | None:
    argv = result.argv
    i = 1
    while i < len(argv):
        word = argv[i]
        value = word.value
        if not word.static or not value.startswith("-"):
            break
        if value == "--":
            i += 1
            break
        if value in ("--help", "--version"):
            return None
        if value in ("-", "-i", "--ignore-environment"):
            result.unsets.append("*")
        option, operand, consumed = _env_option(argv, i)
        if option == "C":
            result.chdir.append(operand)
        if option == "u":
            result.unsets.append(operand.value)
        if option == "S":
            # -S splits its string into words that replace it (options, assignments and
            # the command may all be in there): parse them from the start again.
            argv = argv[:1] + _split(operand) + argv[i + consumed :]
            result.notes.append("split env -S string")
            i = 1
            continue
        i += consumed
    i = _assignments(argv, i, result)
    if i >= len(argv):
        return None
    return argv[i:]


def _env_option(argv: list[Word], i: int) -> tuple[str, Word, int]:
    """One env option at ``argv[i]``: which value-taking option it is (``C``, ``S``, ``u``,
    ``P`` or ``""``), its operand, and how many words it used."""
    word = argv[i]
    value = word.value
    following = argv[i + 1] if i + 1 < len(argv) else Word("", "")
    if value.startswith("--"):
        name, attached = _option_parts(word)
        if name not in _ENV_LONG_WITH_VALUE:
            return "", following, 1
        option = {"--chdir": "C", "--split-string": "S", "--unset": "u"}[name]
        if attached is None:
            return option, following, 2
        return option, Word(attached, word.raw, word.static), 1
    for position, char in enumerate(value[1:], start=1):
        if char in _ENV_WITH_VALUE:
            attached_value = value[position + 1 :]
            if attached_value:
                return char, Word(attached_value, word.raw, word.static), 1
            return char, following, 2
    return "", following, 1


def _has_user_option(argv: list[Word]) -> bool:
    for word in argv[1:]:
        value = word.value
        if value == "--" or not value.startswith("-"):
            return False
        if value.startswith(("-u", "--user")):
            return True
    return False


def _split(word: Word) -> list[Word]:
    """The words of an ``env -S`` string, split as env does (quotes honoured)."""
    try:
        pieces = shlex.split(word.value, comments=False, posix=True)
    except ValueError:
        pieces = word.value.split()
    return [Word(piece, piece, word.static) for piece in pieces]


def _busybox(argv: list[Word]) -> list[Word] | None:
    if len(argv) < 2 or not argv[1].static or argv[1].value.startswith("-"):
        return None
    return argv[1:]
